import path from 'node:path';
import type { TrainerConfig } from '../config/types.js';
import type { EvalFile } from '../evaluation/types.js';
import { readMetrics } from '../run/metrics.js';
import { writeFileAtomicSync } from '@video-r1/cli-kit';
import type { RunPaths } from '../run/run-dir.js';
import { reportCharts } from './charts-spec.js';
import { renderReport } from './html.js';
import { findChromium, screenshotPage, writeChartPngs } from './png.js';

export interface RunReportInput {
  config: TrainerConfig;
  paths: RunPaths;
  evaluation: EvalFile | null;
  facts: Record<string, string>;
  log: (line: string) => void;
}

/**
 * report.html (self-contained), charts/<curve>.png + .svg, and report.png: the page as headless
 * Chromium renders it, when Chromium is installed (`apt-get install chromium`, or CHROME_PATH).
 */
export async function renderRunReport(input: RunReportInput): Promise<void> {
  const { config, paths } = input;
  const metrics = readMetrics(paths.metrics);
  const charts = reportCharts(metrics);
  if (config.report.html) {
    writeFileAtomicSync(paths.report, renderReport({ runId: paths.id, config, metrics, evaluation: input.evaluation, charts, facts: input.facts }));
  }
  if (!config.report.png) return;
  writeChartPngs(charts, paths.charts);
  if (!config.report.html) return;
  const chromium = findChromium();
  if (chromium === null) {
    input.log('note: no Chromium found (apt-get install chromium, or set CHROME_PATH): report.png not rendered; charts/*.png are');
    return;
  }
  try {
    await screenshotPage(chromium, paths.report, path.join(paths.root, 'report.png'));
  } catch (error) {
    input.log(`warning: ${(error as Error).message.split('\n')[0]}`);
  }
}
