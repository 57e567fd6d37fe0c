/**
 * @video-r1/cli-kit — what the video-r1 tools share and nothing else: atomic file writes, the
 * `latest` run link, one progress display, percent/duration formatting, SVG charts, whether output may be coloured,
 * config files' out-of-range numbers, and the one rule for the newest checkpoint directory.
 */
export { writeFileAtomic, writeFileAtomicSync, writeJsonAtomic, writeJsonAtomicSync, removeStaleTemporaries } from './atomic-file.js';
export { linkLatest, readLatestLink } from './latest-link.js';
export { Progress, type ProgressOptions } from './progress.js';
export { formatPercent, formatDuration, formatTimestamp } from './format.js';
export { colorsEnabled, colorsFor } from './terminal-colors.js';
export { outOfRangeNumbers } from './json-numbers.js';
export { findCheckpointDirs, type CheckpointMarker, type CheckpointProbe, type FoundCheckpointDir } from './checkpoint-dirs.js';
export {
  renderChart,
  niceTicks,
  formatTick,
  smooth,
  escapeXml,
  barChartSvg,
  lineChartSvg,
  type ChartSpec,
  type Series,
  type BarSeries,
  type LineSeries,
} from './svg-chart.js';
