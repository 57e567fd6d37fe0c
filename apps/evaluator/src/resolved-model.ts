// The model under evaluation as the commands use it, on its own so that model.ts (which loads
// policy-model.ts lazily) and policy-model.ts do not import each other.
import type { ModelAdapter } from '@video-r1/eval';

export interface ResolvedModel {
  adapter: ModelAdapter;
  /** One line for the log. */
  description: string;
  /** Recorded in every output file and the report. */
  settings: Record<string, unknown>;
}
