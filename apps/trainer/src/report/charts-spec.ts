import type { MetricRecord } from '../run/metrics.js';
import type { ChartSpec, Series } from '@video-r1/cli-kit';

function seriesOf(records: MetricRecord[], field: string, name = field): Series {
  return {
    name,
    points: records
      .filter((r) => field in r)
      .map((r) => {
        const value = r[field];
        return [r.step, typeof value === 'number' ? value : null] as const;
      }),
  };
}

/**
 * The curves of Video-R1's training figure (accuracy reward, response length, ...) plus the ones
 * that explain a run: total reward, format reward, KL to the SFT reference, the temporal bonus rate,
 * validation accuracy and the SFT loss.
 */
export function reportCharts(metrics: MetricRecord[]): ChartSpec[] {
  const rl = metrics.filter((r) => r.stage === 'rl');
  const sft = metrics.filter((r) => r.stage === 'sft');
  const validation = rl.filter((r) => typeof r['val_accuracy'] === 'number');
  const smoothing = rl.length > 30 ? 0.8 : rl.length > 10 ? 0.6 : 0;
  const charts: ChartSpec[] = [
    { id: 'accuracy', title: 'Accuracy reward (rewards/accuracy)', xLabel: 'RL step', series: [seriesOf(rl, 'rewards/accuracy')], smoothing, yDomain: [0, 1] },
    { id: 'reward', title: 'Total reward (reward)', xLabel: 'RL step', series: [seriesOf(rl, 'reward')], smoothing },
    { id: 'format', title: 'Format reward (rewards/format)', xLabel: 'RL step', series: [seriesOf(rl, 'rewards/format')], smoothing, yDomain: [0, 1] },
    { id: 'length', title: 'Completion length (tokens)', xLabel: 'RL step', series: [seriesOf(rl, 'completion_length')], smoothing },
    { id: 'kl', title: 'KL to the SFT reference (kl)', xLabel: 'RL step', series: [seriesOf(rl, 'kl')], smoothing },
    {
      // Like for like: the shuffled groups exist for videos only, so they are set against the ordered
      // accuracy of the same prompts (not rewards/accuracy, which also counts the images).
      id: 'ordered-shuffled',
      title: 'Video prompts: accuracy on ordered vs shuffled frames',
      xLabel: 'RL step',
      series: [seriesOf(rl, 'rewards/accuracy_ordered', 'ordered frames'), seriesOf(rl, 'rewards/accuracy_shuffled', 'shuffled frames')],
      smoothing,
      yDomain: [0, 1],
    },
    { id: 'temporal', title: 'Temporal bonus applied (temporal_rewards)', xLabel: 'RL step', series: [seriesOf(rl, 'temporal_rewards')], smoothing, yDomain: [0, 1] },
    {
      id: 'validation',
      title: 'Validation accuracy',
      xLabel: 'RL step',
      series: [seriesOf(validation, 'val_accuracy', 'validation accuracy')],
      yDomain: [0, 1],
    },
    { id: 'sft-loss', title: 'SFT loss (cross-entropy on completions)', xLabel: 'SFT step', series: [seriesOf(sft, 'loss')], smoothing: sft.length > 30 ? 0.6 : 0 },
  ];
  return charts;
}
