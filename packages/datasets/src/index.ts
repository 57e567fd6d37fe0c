export type { CotRecord, DataType, FileFormat, FileKind, ProblemType, VideoR1Record } from './types.js';
export { DATA_TYPES, FILE_KINDS, PROBLEM_TYPES } from './types.js';
export type { IssueKind, RecordIssue } from './errors.js';
export { DatasetFileError, DatasetFormatError, PathEscapeError, RecordError, formatIssue } from './errors.js';
export type { DatasetFileErrorCode } from './errors.js';
export type { FieldProblem } from './schema.js';
export { RECORD_SCHEMAS, isVideoR1Record, validateRecord } from './schema.js';
export type { DatasetStream, LoadOptions, LoadProgress, LoadReport } from './load/load-dataset.js';
export { loadDataset, readDataset, summarizeReport } from './load/load-dataset.js';
export { pathSyntaxProblem, resolveMediaPath } from './paths.js';
export type { MediaCheckOptions, MediaCheckReport, MediaProblem, MediaProblemKind } from './media.js';
export { checkMedia } from './media.js';
export type { BalanceOptions, GroupKey, RecordFilter, SplitOptions } from './select.js';
export { balancedSample, filterRecords, fnv1a, groupRecords, recordFilter, shuffled, splitTrainVal } from './select.js';
export type { Rng } from './rng.js';
export type { ChatContentPart, ChatMessage, MediaPart, MessageOptions, PromptSample, PromptTemplate } from './prompt.js';
export {
  QUESTION_TEMPLATE_TAIL,
  SFT_SYSTEM_MESSAGE,
  TYPE_TEMPLATE,
  buildMessages,
  buildPrompt,
  buildSftMessages,
  formatQuestion,
  sftTarget,
} from './prompt.js';
export type { DatasetStats } from './stats.js';
export { StatsCollector, formatStats, renderTable } from './stats.js';
export type {
  SplitName,
  SyntheticManifest,
  SyntheticOptions,
  SyntheticProgress,
  SyntheticRecord,
  SyntheticSet,
} from './synthetic/generate.js';
export { GENERATOR_VERSION, SYNTHETIC_DEFAULTS, defaultSyntheticDir, ensureSyntheticSet, splitUnits } from './synthetic/generate.js';
export type {
  ColorName,
  Direction,
  ImageScene,
  MotionFrame,
  MotionScene,
  Shape,
  SyntheticQuestion,
  SyntheticTask,
  SyntheticTaskInfo,
  WordFrame,
  WordScene,
} from './synthetic/tasks.js';
export {
  SYNTHETIC_TASKS,
  TEMPORAL_TASKS,
  countSquares,
  describeMotion,
  flashCount,
  motionDirection,
  spelledWord,
  stopFrame,
  stopTime,
  taskInfo,
} from './synthetic/tasks.js';
