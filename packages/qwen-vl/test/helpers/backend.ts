// Backend switching for tests that compare cpu and wasm.
import { selectBackend } from '@video-r1/tensor';

export type TestBackend = 'cpu' | 'wasm';
export const TEST_BACKENDS: readonly TestBackend[] = ['cpu', 'wasm'];

export async function useBackend(name: TestBackend): Promise<void> {
  await selectBackend(name, { log: false });
}
