import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../src/config/presets.js';
import { niceTicks, renderChart, smooth } from '@video-r1/cli-kit';
import { reportCharts } from '../src/report/charts-spec.js';
import { renderReport } from '../src/report/html.js';
import { writeChartPngs } from '../src/report/png.js';
import type { MetricRecord } from '../src/run/metrics.js';

const metrics: MetricRecord[] = [
  { stage: 'sft', step: 1, loss: 3 },
  { stage: 'sft', step: 2, loss: 2 },
  { stage: 'rl', step: 1, 'rewards/accuracy': 0.25, reward: 1.1, kl: 0, completion_length: 30, temporal_rewards: 1 },
  { stage: 'rl', step: 2, 'rewards/accuracy': 0.5, reward: 1.4, kl: 0.01, completion_length: 28, temporal_rewards: null, val_accuracy: 0.4 },
  { stage: 'rl', step: 3, 'rewards/accuracy': null, reward: 1.6, kl: 0.02, completion_length: 26, temporal_rewards: 0 },
];

describe('charts', () => {
  it('picks round ticks that cover the data', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    const flat = niceTicks(2, 2, 5);
    expect(flat[0]).toBeLessThan(2);
    expect(flat[flat.length - 1]).toBeGreaterThan(2);
  });

  it('smooths with a debiased EMA that restarts after gaps', () => {
    const s = smooth([[1, 1], [2, 3], [3, null], [4, 5]], 0.5);
    expect(s[0]![1]).toBeCloseTo(1);
    expect(s[1]![1]).toBeCloseTo((0.5 * 0.5 + 0.5 * 3) / (1 - 0.25));
    expect(s[2]![1]).toBeNull();
    expect(s[3]![1]).toBeCloseTo(5);
  });

  it('draws one path per series and breaks lines at missing values', () => {
    const svg = renderChart(reportCharts(metrics).find((c) => c.id === 'accuracy')!);
    expect(svg.startsWith('<svg')).toBe(true);
    const d = /<path d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(1);
    expect(d.match(/L/g)).toHaveLength(1);
    expect(renderChart({ id: 'e', title: 'empty', xLabel: 'x', series: [{ name: 'a', points: [] }] })).toContain('no data');
  });
});

describe('report', () => {
  it('is one self-contained page with the curves and the evaluation table', () => {
    const html = renderReport({
      runId: 'r1',
      config: presetConfig('smoke'),
      metrics,
      charts: reportCharts(metrics),
      facts: { backend: 'cpu' },
      evaluation: {
        model: 'final',
        overall: 0.5,
        count: 4,
        byProblemType: { numerical: 0.5 },
        byTask: { direction: 1 },
        temporal: 1,
        formatRate: 1,
        baseline: { overall: 0, count: 4, byProblemType: { numerical: 0 }, byTask: { direction: 0 }, temporal: 0, formatRate: 0 },
        testSet: 't.json',
        skippedSamples: 0,
        decoding: { maxNewTokens: 8, temperature: 0.01, topP: 0.001 },
      },
    });
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html.match(/<svg/g)!.length).toBe(reportCharts(metrics).length);
    expect(html).toContain('<th>untrained</th>');
    expect(html).toContain('50.0%');
  });

  it('rasterises every chart to a PNG', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trainer-png-'));
    const files = writeChartPngs(reportCharts(metrics), dir, 1);
    expect(files).toHaveLength(reportCharts(metrics).length);
    const png = readFileSync(files[0]!);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // IHDR width/height: the chart's 480×300 at scale 1.
    expect(png.readUInt32BE(16)).toBe(480);
    expect(png.readUInt32BE(20)).toBe(300);
  });
});
