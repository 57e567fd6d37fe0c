import type { TrainerConfig } from '../config/types.js';
import type { AccuracySummary, EvalFile } from '../evaluation/types.js';
import type { MetricRecord } from '../run/metrics.js';
import { type ChartSpec, escapeXml, formatPercent, renderChart } from '@video-r1/cli-kit';

export interface ReportInput {
  runId: string;
  config: TrainerConfig;
  metrics: MetricRecord[];
  evaluation: EvalFile | null;
  charts: ChartSpec[];
  /** Free-form facts shown in the header (backend, wall time, ...). */
  facts: Record<string, string>;
}

const escapeHtml = escapeXml;
const pct = (value: number | null | undefined): string => formatPercent(value, { sign: true });

function evalTable(evaluation: EvalFile): string {
  const columns: Array<[string, AccuracySummary | undefined]> = [
    ['untrained', evaluation.baseline],
    ['SFT', evaluation.sft],
    ['final', evaluation],
  ];
  const shown = columns.filter(([, summary]) => summary !== undefined) as Array<[string, AccuracySummary]>;
  const rowKeys = (pick: (s: AccuracySummary) => Record<string, number>) => [...new Set(shown.flatMap(([, s]) => Object.keys(pick(s))))].sort();
  const row = (label: string, value: (s: AccuracySummary) => number | null | undefined, cls = '') =>
    `<tr class="${cls}"><th>${escapeHtml(label)}</th>${shown.map(([, s]) => `<td>${pct(value(s))}</td>`).join('')}</tr>`;
  const rows = [
    row('overall', (s) => s.overall, 'total'),
    ...rowKeys((s) => s.byProblemType).map((k) => row(k, (s) => s.byProblemType[k])),
    row('temporal kinds', (s) => s.temporal, 'total'),
    ...rowKeys((s) => s.byTask).map((k) => row(`kind: ${k}`, (s) => s.byTask[k])),
    row('format', (s) => s.formatRate),
  ];
  return `<table><thead><tr><th>test accuracy (n = ${evaluation.count})</th>${shown.map(([name]) => `<th>${name}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The whole report as one HTML document: inline CSS and SVG, nothing fetched. */
export function renderReport(input: ReportInput): string {
  const { config } = input;
  const facts = Object.entries(input.facts)
    .map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`)
    .join('');
  const charts = input.charts.map((c) => `<figure>${renderChart(c)}</figure>`).join('');
  const last = [...input.metrics].reverse().find((r) => r.stage === 'rl');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Video-R1 run ${escapeHtml(input.runId)}</title>
<style>
body{font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:4px 16px;margin:8px 0}
dl div{display:flex;gap:6px} dt{color:#666} dd{margin:0;font-weight:600}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:12px}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:4px}
figure svg{display:block;width:100%;height:auto}
table{border-collapse:collapse;background:#fff} th,td{border:1px solid #ddd;padding:4px 10px;text-align:right}
thead th{background:#eee} tbody th{text-align:left;font-weight:normal} tr.total th{font-weight:600}
pre{background:#fff;border:1px solid #ddd;padding:8px;font-size:12px;overflow:auto;max-height:320px}
</style></head><body>
<h1>Video-R1 training run ${escapeHtml(input.runId)}</h1>
<div>${escapeHtml(config.rl.enabled ? `SFT → ${config.rl.algo === 'tgrpo' ? 'T-GRPO' : 'GRPO'}` : 'SFT only')}, preset ${escapeHtml(config.preset)}, seed ${config.seed}</div>
<dl>${facts}${last ? `<div><dt>last RL step</dt><dd>${last.step}</dd></div>` : ''}</dl>
<h2>Test evaluation</h2>
${input.evaluation ? evalTable(input.evaluation) : '<p>No test evaluation yet.</p>'}
<h2>Training curves</h2>
<div class="grid">${charts}</div>
<h2>Configuration</h2>
<pre>${escapeHtml(JSON.stringify(config, null, 2))}</pre>
</body></html>
`;
}
