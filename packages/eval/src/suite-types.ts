// The suite's result types on their own, so that the reports (report.ts) and the runner of a
// suite (suite.ts) both read them without importing each other.
import type { Summary } from './summarize.js';
import type { ScoringProfile } from './types.js';

export interface SuiteRun {
  benchmark: string;
  maxFrames: number;
  outputPath: string;
  summary: Summary;
  resumed: number;
  evaluated: number;
  errors: number;
}

/** `summary.json`: everything the reports are drawn from. */
export interface SuiteSummary {
  tool: string;
  profile: ScoringProfile;
  model: string;
  max_pixels: number;
  frames: number[];
  created_at: string;
  settings: Record<string, unknown>;
  runs: SuiteRun[];
}
