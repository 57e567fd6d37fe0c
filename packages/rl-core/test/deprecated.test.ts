// The names that moved to @video-r1/tensor stay importable from rl-core for one release, as the same objects.
import * as tensor from '@video-r1/tensor';
import { expect, it } from 'vitest';

import * as rlCore from '../src/index.js';

it("re-exports the moved names as @video-r1/tensor's own", () => {
  const moved = ['tf', 'BACKEND_ENV_VARS', 'BACKEND_ORDER', 'BackendUnavailableError', 'parseBackendPreference', 'selectBackend', 'gatherRows', 'stopGradient', 'tokenLogProbs', 'sampleTokens'] as const;
  for (const name of moved) expect(rlCore[name], name).toBe(tensor[name]);
});
