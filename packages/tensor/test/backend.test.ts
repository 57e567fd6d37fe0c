// Backend selection with the real packages installed here: no mocks. The native tfjs-node
// builds are optional peers: absent from this workspace, or present without the binding their
// install script fails to download on these machines. Either way `auto` must skip them and
// really run on wasm.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { describe, expect, it, vi } from 'vitest';

import { BACKEND_ORDER, BackendUnavailableError, selectBackend, tf } from '../src/index.js';

const require = createRequire(import.meta.url);

/** Whether a tfjs-node build has a native binding on disk (checked independently of the library). */
function hasBinding(pkg: string): boolean {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return false;
  }
  const lib = path.join(dir, 'lib');
  if (!existsSync(lib)) return false;
  return readdirSync(lib).some((sub) => existsSync(path.join(lib, sub, 'tfjs_binding.node')));
}

const nativeHere = hasBinding('@tensorflow/tfjs-node-gpu') || hasBinding('@tensorflow/tfjs-node');

/** Why the library must skip a native build here (worked out without the library). */
function skipReason(pkg: string): string {
  try {
    require.resolve(`${pkg}/package.json`);
    return 'native binding not installed';
  } catch {
    return `${pkg} not installed`;
  }
}
const GPU_REASON = skipReason('@tensorflow/tfjs-node-gpu');
const CPU_REASON = skipReason('@tensorflow/tfjs-node');

function collect(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

describe('selectBackend', () => {
  it('auto takes the first backend that loads: wasm where the native bindings are missing', async () => {
    const { lines, log } = collect();
    const selected = await selectBackend('auto', { env: {}, log });
    if (nativeHere) {
      // A machine where tfjs-node installed its binding: the native build must win.
      expect(['tensorflow-gpu', 'tensorflow']).toContain(selected.name);
      expect(tf.getBackend()).toBe('tensorflow');
      expect(lines[0]).toMatch(/^\[tensor\] backend: tensorflow/);
      return;
    }
    expect(selected.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selected.tf.getBackend()).toBe('wasm');
    expect(selected.skipped).toEqual([
      { name: 'tensorflow-gpu', reason: GPU_REASON },
      { name: 'tensorflow', reason: CPU_REASON },
    ]);
    expect(lines).toEqual([
      `[tensor] backend: wasm (auto; tensorflow-gpu: ${GPU_REASON}; tensorflow: ${CPU_REASON})`,
    ]);
  });

  it('wasm really runs: the active engine backend is the WebAssembly one and computes', async () => {
    await selectBackend('wasm', { env: {}, log: false });
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.engine().backend.constructor.name).toMatch(/wasm/i);
    const a = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    expect(Array.from(tf.matMul(a, a).dataSync())).toEqual([7, 10, 15, 22]);
    a.dispose();
  });

  it('logs once per switch, not again while the same choice is active', async () => {
    const { lines, log } = collect();
    await selectBackend('cpu', { env: {}, log });
    await selectBackend('cpu', { env: {}, log });
    await selectBackend(undefined, { env: { VIDEO_R1_BACKEND: 'cpu' }, log });
    expect(tf.getBackend()).toBe('cpu');
    expect(lines).toHaveLength(1);
    await selectBackend('wasm', { env: {}, log });
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toHaveLength(2);
  });

  it('VIDEO_R1_BACKEND=cpu overrides auto', async () => {
    const { lines, log } = collect();
    const selected = await selectBackend(undefined, { env: { VIDEO_R1_BACKEND: 'cpu' }, log });
    expect(selected).toMatchObject({ name: 'cpu', source: 'VIDEO_R1_BACKEND', requested: 'cpu', skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
    expect(lines).toEqual(['[tensor] backend: cpu (requested by VIDEO_R1_BACKEND=cpu)']);
  });

  it('reads TFJS_BACKEND, ranks VIDEO_R1_BACKEND above it and an explicit choice above both', async () => {
    const viaTfjs = await selectBackend('auto', { env: { TFJS_BACKEND: 'wasm' }, log: false });
    expect(viaTfjs).toMatchObject({ name: 'wasm', source: 'TFJS_BACKEND' });
    const both = await selectBackend(undefined, { env: { TFJS_BACKEND: 'wasm', VIDEO_R1_BACKEND: 'cpu' }, log: false });
    expect(both).toMatchObject({ name: 'cpu', source: 'VIDEO_R1_BACKEND' });
    const { lines, log } = collect();
    const explicit = await selectBackend('wasm', {
      env: { VIDEO_R1_BACKEND: 'cpu' },
      log,
      argumentLabel: '--backend',
    });
    expect(explicit).toMatchObject({ name: 'wasm', source: 'argument' });
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toEqual(['[tensor] backend: wasm (requested by --backend wasm)']);
  });

  it('an explicit backend that cannot load is an error naming it, the reason and the way out', async () => {
    await selectBackend('cpu', { env: {}, log: false });
    if (nativeHere) {
      // Only a machine without the binding can show the failure; here the choice loads.
      await expect(selectBackend('tensorflow', { env: {}, log: false, fallback: true })).resolves.toBeDefined();
      return;
    }
    const failure = selectBackend('tensorflow', { env: {}, log: false });
    await expect(failure).rejects.toBeInstanceOf(BackendUnavailableError);
    const wayOut = CPU_REASON.startsWith('native') ? 'npm rebuild @tensorflow/tfjs-node' : 'pnpm add @tensorflow/tfjs-node@4.22.0';
    await expect(failure).rejects.toThrow(`"tensorflow" (requested by selectBackend("tensorflow")) cannot be used here: tensorflow: ${CPU_REASON}.`);
    await expect(failure).rejects.toThrow(wayOut);
    await expect(failure).rejects.toMatchObject({ backend: 'tensorflow', reason: CPU_REASON, code: 'BACKEND_UNAVAILABLE' });
    // The failed attempt leaves the active backend alone.
    expect(tf.getBackend()).toBe('cpu');
  });

  it('with fallback: true an unavailable choice continues down the order and says so', async () => {
    const { lines, log } = collect();
    const selected = await selectBackend('tensorflow-gpu', { env: {}, log, fallback: true });
    if (nativeHere) {
      expect(['tensorflow-gpu', 'tensorflow']).toContain(selected.name);
      return;
    }
    expect(selected.name).toBe('wasm');
    expect(lines).toEqual([
      '[tensor] backend: wasm (requested by selectBackend("tensorflow-gpu"); ' +
        `tensorflow-gpu: ${GPU_REASON}; tensorflow: ${CPU_REASON})`,
    ]);
  });

  it('rejects an unknown name, naming where it came from', async () => {
    await expect(selectBackend(undefined, { env: { VIDEO_R1_BACKEND: 'webgpu' }, log: false })).rejects.toThrow(
      /VIDEO_R1_BACKEND="webgpu" is not a TensorFlow.js backend; use one of tensorflow-gpu, tensorflow, wasm, cpu, auto/,
    );
  });

  it('accepts package-style aliases', async () => {
    const selected = await selectBackend(undefined, { env: { VIDEO_R1_BACKEND: ' CPU ' }, log: false });
    expect(selected.name).toBe('cpu');
    const viaAlias = selectBackend(undefined, { env: { VIDEO_R1_BACKEND: 'tfjs-node' }, log: false });
    if (nativeHere) await expect(viaAlias).resolves.toMatchObject({ requested: 'tensorflow' });
    else await expect(viaAlias).rejects.toMatchObject({ backend: 'tensorflow' });
  });

  it('writes its line to stderr by default', async () => {
    const write = vi.spyOn(process.stderr, 'write');
    let written: string[];
    try {
      await selectBackend('wasm', { env: {} });
      await selectBackend('cpu', { env: {} });
      written = write.mock.calls.map((call) => String(call[0])).filter((text) => text.startsWith('[tensor]'));
    } finally {
      write.mockRestore();
    }
    expect(written).toEqual([
      '[tensor] backend: wasm (requested by selectBackend("wasm"))\n',
      '[tensor] backend: cpu (requested by selectBackend("cpu"))\n',
    ]);
  });

  it('orders backends fastest first', () => {
    expect(BACKEND_ORDER).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
  });
});
