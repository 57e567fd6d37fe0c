// Moved to @video-r1/tensor in 0.1.0; kept here for one release so existing imports keep
// working. Import them from '@video-r1/tensor' instead.
export {
  /** @deprecated Moved to `@video-r1/tensor`; import `tf` from there. */
  tf,
  /** @deprecated Moved to `@video-r1/tensor`. */
  BACKEND_ENV_VARS,
  /** @deprecated Moved to `@video-r1/tensor`. */
  BACKEND_ORDER,
  /** @deprecated Moved to `@video-r1/tensor`. */
  BackendUnavailableError,
  /** @deprecated Moved to `@video-r1/tensor`. */
  parseBackendPreference,
  /** @deprecated Moved to `@video-r1/tensor`. */
  selectBackend,
  /** @deprecated Moved to `@video-r1/tensor`. */
  gatherRows,
  /** @deprecated Moved to `@video-r1/tensor`. */
  stopGradient,
  /** @deprecated Moved to `@video-r1/tensor`. */
  tokenLogProbs,
  /** @deprecated Moved to `@video-r1/tensor`. */
  sampleTokens,
} from '@video-r1/tensor';
export type {
  /** @deprecated Moved to `@video-r1/tensor`. */
  BackendName,
  /** @deprecated Moved to `@video-r1/tensor`. */
  BackendPreference,
  /** @deprecated Moved to `@video-r1/tensor`. */
  BackendSource,
  /** @deprecated Moved to `@video-r1/tensor`. */
  SelectBackendOptions,
  /** @deprecated Moved to `@video-r1/tensor`. */
  SelectedBackend,
  /** @deprecated Moved to `@video-r1/tensor`. */
  SkippedBackend,
  /** @deprecated Moved to `@video-r1/tensor`. */
  TokenLogProbsOptions,
  /** @deprecated Moved to `@video-r1/tensor`. */
  SampleOptions,
  /** @deprecated Moved to `@video-r1/tensor` (`Rng`, with `createRng`). */
  Rng,
} from '@video-r1/tensor';
