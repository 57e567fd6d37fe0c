/**
 * Reports of a suite: plain-text tables for the terminal, Markdown, and a self-contained HTML page
 * whose charts are inline SVG (no script, no CDN, no external font).
 */
import { basename } from 'node:path';
import { barChartSvg as bars, escapeXml as esc, formatPercent, lineChartSvg as lines } from '@video-r1/cli-kit';
import type { GroupSummary, Summary } from './summarize.js';
import type { SuiteRun, SuiteSummary } from './suite-types.js';

type Align = 'left' | 'right';

/**
 * Percent with one decimal, as papers print accuracies; `–` for no value.
 * @deprecated `formatPercent` of @video-r1/cli-kit; this alias goes in the next minor release.
 */
export const pct = (x: number | null | undefined): string => formatPercent(x);

/** A Markdown table (also readable as plain text in a terminal, columns padded). */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length), 3));
  const cell = (text: string, c: number): string => (align[c] === 'right' ? text.padStart(widths[c]!) : text.padEnd(widths[c]!));
  const line = (cells: readonly string[]): string => `| ${cells.map((t, c) => cell(t, c)).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (align[c] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

const GROUP_HEADERS = ['n', 'accuracy %', 'MRA %', 'overall %', 'errors'];
const GROUP_ALIGN: Align[] = ['left', 'right', 'right', 'right', 'right', 'right'];

function groupRow(name: string, g: GroupSummary): string[] {
  return [name, String(g.count), formatPercent(g.mean_acc), formatPercent(g.mean_mra), formatPercent(g.overall), String(g.errors)];
}

function groupTable(title: string, groups: Record<string, GroupSummary>): string {
  const names = Object.keys(groups).sort((a, b) => a.localeCompare(b));
  return renderTable([title, ...GROUP_HEADERS], names.map((n) => groupRow(n, groups[n]!)), GROUP_ALIGN);
}

function finalAccLine(s: Summary): string {
  return `final_acc (eval_bench.py): mean_acc ${s.final_acc.mean_acc ?? 'NaN'}, mean_mra ${s.final_acc.mean_mra ?? 'NaN'}`;
}

function extrasLine(s: Summary): string | null {
  const parts: string[] = [];
  if (s.extra.ocr.count > 0) parts.push(`OCR 1−WER ${formatPercent(s.extra.ocr.mean)}% (n=${s.extra.ocr.count})`);
  if (s.extra.free_form.count > 0) parts.push(`free-form ROUGE ${formatPercent(s.extra.free_form.mean)}% (n=${s.extra.free_form.count})`);
  return parts.length > 0 ? `Extra metrics (both profiles score these types 0; not in the numbers above): ${parts.join('; ')}` : null;
}

/** Terminal output: one block per benchmark and frame budget, with the problem-type (and category) table. */
export function runTables(run: SuiteRun): string {
  const s = run.summary;
  const blocks = [
    `${run.benchmark}${Number.isFinite(run.maxFrames) ? ` — ${run.maxFrames} frames` : ''} — ${s.total.count} samples — profile ${s.profile}`,
    groupTable('problem type', s.by_problem_type),
  ];
  if (s.category_field && Object.keys(s.by_category).length > 1) blocks.push(groupTable(s.category_field, s.by_category));
  blocks.push(`overall ${formatPercent(s.total.overall)}% (${s.overall_method}); ${finalAccLine(s)}`);
  const extras = extrasLine(s);
  if (extras) blocks.push(extras);
  return blocks.join('\n\n');
}

/** Benchmark × frames overview, the shape of the paper's frames table. */
export function overviewTable(suite: SuiteSummary): string {
  const benchmarks = [...new Set(suite.runs.map((r) => r.benchmark))];
  const rows = benchmarks.map((b) => [b, ...suite.frames.map((f) => formatPercent(suite.runs.find((r) => r.benchmark === b && r.maxFrames === f)?.summary.total.overall))]);
  return renderTable(['benchmark', ...suite.frames.map((f) => `${f} frames`)], rows, ['left', ...suite.frames.map((): Align => 'right')]);
}

const PROFILE_TEXT: Record<string, string> = {
  'video-r1': 'Scores are `reward_fn` of Video-R1\'s `eval_bench.py`: `<answer>` content (or the whole output), exact option match, numerical match after `round(x, 2)`, regression by MRA with `<` thresholds in float32; `overall` is the sample mean of rewards.',
  'lmms-eval':
    'Scores follow the benchmark authors\' rules as lmms-eval implements them: VSI-Bench `fuzzy_matching` + case-insensitive `exact_match`, MRA with `<=` thresholds in float64, overall = mean of category scores; MVBench `mcq_acc` over answered samples; other multiple-choice benchmarks VideoMME\'s `extract_characters_regex`.',
};

export function suiteMarkdown(suite: SuiteSummary): string {
  const out: string[] = [
    '# Evaluation report',
    '',
    `- model: \`${suite.model}\``,
    `- scoring profile: **${suite.profile}** — ${PROFILE_TEXT[suite.profile] ?? ''}`,
    `- frame budgets: ${suite.frames.join(', ')}; max pixels per frame: ${suite.max_pixels}`,
    `- created: ${suite.created_at}`,
    '',
    '## Overall (%)',
    '',
    overviewTable(suite),
    '',
  ];
  for (const run of suite.runs) {
    const s = run.summary;
    out.push(`## ${run.benchmark}, ${run.maxFrames} frames`, '');
    out.push(`${s.total.count} samples (${run.resumed} resumed, ${run.evaluated} evaluated now, ${s.total.errors} failed model calls). ${finalAccLine(s)}. File: \`${basename(run.outputPath)}\`.`, '');
    out.push(groupTable('problem type', s.by_problem_type), '');
    if (s.category_field && Object.keys(s.by_category).length > 0) out.push(groupTable(s.category_field, s.by_category), '');
    out.push(`Overall: **${formatPercent(s.total.overall)}%** (${s.overall_method}).`, '');
    const extras = extrasLine(s);
    if (extras) out.push(extras, '');
  }
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// HTML

/**
 * Horizontal grouped bars (0–100 %).
 * @deprecated Moved to @video-r1/cli-kit (`barChartSvg`), with the trainer's curves; this re-export goes in the next minor release.
 */
export const barChartSvg: typeof bars = bars;

/**
 * Accuracy against frame budget.
 * @deprecated Moved to @video-r1/cli-kit (`lineChartSvg`); this re-export goes in the next minor release.
 */
export const lineChartSvg: typeof lines = lines;

function htmlTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i > 0 ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function benchmarkChart(benchmark: string, runs: readonly SuiteRun[]): string {
  const first = runs[0]!.summary;
  const useCategories = first.category_field !== null && Object.keys(first.by_category).length > 1;
  const groupsOf = (s: Summary): Record<string, GroupSummary> => (useCategories ? s.by_category : s.by_problem_type);
  const labels = [...new Set(runs.flatMap((r) => Object.keys(groupsOf(r.summary))))].sort((a, b) => a.localeCompare(b));
  const allLabels = [...labels, 'overall'];
  const series = runs.map((r) => ({
    label: `${r.maxFrames} frames`,
    values: [...labels.map((l) => (groupsOf(r.summary)[l]?.overall ?? null)), r.summary.total.overall].map((v) => (v === null ? null : v * 100)),
  }));
  const by = useCategories ? first.category_field! : 'problem type';
  return bars(`${benchmark}: score by ${by} (%)`, allLabels, series);
}

export function suiteHtml(suite: SuiteSummary): string {
  const benchmarks = [...new Set(suite.runs.map((r) => r.benchmark))];
  const sections: string[] = [];
  const lineSeries = benchmarks.map((b) => ({
    label: b,
    points: suite.runs.filter((r) => r.benchmark === b && r.summary.total.overall !== null).map((r) => ({ x: r.maxFrames, y: r.summary.total.overall! * 100 })),
  }));
  sections.push(
    `<section><h2>Accuracy against frames</h2><div class="chart">${lines('Overall score (%) by frame budget', suite.frames, lineSeries)}</div>`,
    htmlTable(['benchmark', ...suite.frames.map((f) => `${f} frames`)], benchmarks.map((b) => [b, ...suite.frames.map((f) => formatPercent(suite.runs.find((r) => r.benchmark === b && r.maxFrames === f)?.summary.total.overall))])),
    '</section>',
  );
  for (const b of benchmarks) {
    const runs = suite.runs.filter((r) => r.benchmark === b);
    const parts = [`<section><h2>${esc(b)}</h2><div class="chart">${benchmarkChart(b, runs)}</div>`];
    for (const run of runs) {
      const s = run.summary;
      parts.push(`<h3>${run.maxFrames} frames</h3>`);
      parts.push(`<p>${s.total.count} samples · ${run.resumed} resumed · ${s.total.errors} failed model calls · ${esc(finalAccLine(s))} · <code>${esc(basename(run.outputPath))}</code></p>`);
      parts.push(htmlTable(['problem type', ...GROUP_HEADERS], Object.keys(s.by_problem_type).sort((a, b) => a.localeCompare(b)).map((k) => groupRow(k, s.by_problem_type[k]!))));
      if (s.category_field && Object.keys(s.by_category).length > 0) {
        parts.push(htmlTable([s.category_field, ...GROUP_HEADERS], Object.keys(s.by_category).sort((a, b) => a.localeCompare(b)).map((k) => groupRow(k, s.by_category[k]!))));
      }
      parts.push(`<p>Overall <strong>${formatPercent(s.total.overall)}%</strong> — ${esc(s.overall_method)}.</p>`);
      const extras = extrasLine(s);
      if (extras) parts.push(`<p class="extra">${esc(extras)}</p>`);
    }
    parts.push('</section>');
    sections.push(parts.join('\n'));
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evaluation report — ${esc(suite.model)}</title>
<style>
  :root { color-scheme: light; }
  body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0; color: #1f2937; background: #f8fafc; }
  header { background: #0f172a; color: #f8fafc; padding: 20px 32px; }
  header h1 { margin: 0 0 6px; font-size: 22px; }
  header p { margin: 2px 0; color: #cbd5e1; }
  header code { background: #1e293b; color: #f8fafc; }
  main { padding: 8px 32px 40px; max-width: 1100px; }
  section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 16px 20px; margin: 18px 0; }
  h2 { margin: 0 0 10px; font-size: 18px; }
  h3 { margin: 18px 0 6px; font-size: 15px; }
  table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
  th, td { border-bottom: 1px solid #e2e8f0; padding: 4px 10px; text-align: left; }
  th { background: #f1f5f9; font-weight: 600; }
  td.num { text-align: right; }
  code { background: #f1f5f9; padding: 1px 4px; border-radius: 3px; }
  .chart svg { max-width: 100%; height: auto; }
  .extra { color: #475569; }
  svg .t { font: 600 14px system-ui, sans-serif; fill: #0f172a; }
  svg .ax { font: 11px system-ui, sans-serif; fill: #64748b; }
  svg .lb { font: 12px system-ui, sans-serif; fill: #334155; }
  svg .val { font: 10px system-ui, sans-serif; fill: #334155; }
  svg .grid { stroke: #e2e8f0; stroke-width: 1; }
</style>
</head>
<body>
<header>
  <h1>Evaluation report</h1>
  <p>Model <code>${esc(suite.model)}</code> · scoring profile <strong>${esc(suite.profile)}</strong> · frames ${esc(suite.frames.join(', '))} · max pixels ${suite.max_pixels}</p>
  <p>${esc((PROFILE_TEXT[suite.profile] ?? '').replaceAll("`", ''))}</p>
  <p>Created ${esc(suite.created_at)}</p>
</header>
<main>
${sections.join('\n')}
</main>
</body>
</html>
`;
}
