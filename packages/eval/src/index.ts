/**
 * @video-r1/eval — Video-R1's benchmark scoring (`src/eval_bench.py`), summaries, resumable
 * evaluation of any model, and reports.
 */
export type { EvalResult, EvalSample, GenerateRequest, KnownProblemType, ModelAdapter, SampleError, ScoringProfile } from './types.js';
export { SCORING_PROFILES } from './types.js';

// Scoring
export { scoreSample, scoreOutput, predictionOf, processOf } from './score.js';
export type { ScoreInput, ProfileScoreInput } from './score.js';
export { meanRelativeAccuracy } from '@video-r1/rewards';
export {
  extractOptionLetter,
  lmmsMeanRelativeAccuracy,
  mvbenchMcqAccuracy,
  mvbenchProcess,
  vsiExactMatch,
  vsiFuzzyMatch,
  vsiNumericScore,
} from './lmms-eval.js';
export { normalizeNumber } from './python.js';

// Summaries
export { summarize, finalAcc, float32Mean, extraMetrics, CATEGORY_FIELDS } from './summarize.js';
export type { Summary, GroupSummary, FinalAcc, ExtraMetric, SummarizeOptions } from './summarize.js';

// Benchmarks
export { VIDEO_R1_BENCHMARKS, benchmarkId, benchmarkDisplayName, benchmarkFromFileName } from './benchmarks.js';
export type { VideoR1Benchmark } from './benchmarks.js';

// Results files
export { toResult, rescoreResults, rescoreFile, readResultsFile, resultsFileBody, writeResultsFile, TOOL_NAME } from './results-file.js';
export type { EvaluationInfo, ResultsFile, LoadedResultsFile, RescoreFileOptions } from './results-file.js';
export { parsePythonJson, readJsonFile } from './json-file.js';
// Deprecated re-exports of @video-r1/cli-kit's atomic writes (one release).
export { writeFileAtomic, writeJsonAtomic } from './json-file.js';

// Running
export { runEvaluation, sampleKeys, VIDEO_R1_EVAL_MAX_PIXELS } from './runner.js';
export type { RunEvaluationOptions, RunEvaluationResult, RunProgress } from './runner.js';
export { runSuite, writeSuiteReports, resultsFileName } from './suite.js';
export type { RunSuiteOptions, SuiteBenchmark, SuiteRun, SuiteSummary } from './suite.js';
export { resolveMedia, videoIoFrameLoader, evalFrameRequest } from './media.js';
export type { FrameLoader } from './media.js';

// Adapters
export { openAIAdapter, VIDEO_R1_DECODING } from './adapters/openai.js';
export type { OpenAIAdapterOptions, DecodingOptions } from './adapters/openai.js';
export { ModelRequestError, toSampleError } from './errors.js';
export { secretRedactor, secretHeaderValues, REDACTED } from './redact.js';
export { withDeadline, DeadlineExceededError } from './deadline.js';
export { resolveRetryOptions, retryDelayMs, parseRetryAfter, isRetryableStatus } from './retry.js';
export type { RetryOptions } from './retry.js';
export { encodeJpegFrames, jpegDataUrl } from './jpeg.js';
export type { RgbFrames } from './jpeg.js';

// Reports (`barChartSvg`, `lineChartSvg` and `pct` are deprecated re-exports of @video-r1/cli-kit)
export { suiteMarkdown, suiteHtml, runTables, overviewTable, renderTable, barChartSvg, lineChartSvg, pct } from './report.js';

// CoT annotation (generate_cot_vllm.py)
export * from './annotate/index.js';
