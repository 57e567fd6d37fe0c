import { afterEach, describe, expect, it } from 'vitest';
import { runInterruptible } from '../src/interruptible.js';

// The handler the run installed, called directly: emitting a real signal would also reach the test runner's own handlers.
function addedHandler(signal: 'SIGINT' | 'SIGTERM', before: readonly unknown[]): () => void {
  const added = process.listeners(signal).filter((listener) => !before.includes(listener));
  expect(added).toHaveLength(1);
  return added[0] as () => void;
}

function recorder(): { calls: string[]; options: Parameters<typeof runInterruptible>[0] } {
  const calls: string[] = [];
  return {
    calls,
    options: {
      log: (line) => calls.push(`log ${line}`),
      note: 'run again with --resume',
      stop: () => calls.push('stop'),
      close: async () => {
        calls.push('close');
      },
    },
  };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('runInterruptible', () => {
  it('turns SIGTERM into an abort: exit code 130, the note logged, the display stopped, the model closed, handlers removed', async () => {
    const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    const { calls, options } = recorder();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const result = runInterruptible(options, (signal) => {
      started();
      return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    });
    await running;
    addedHandler('SIGTERM', before.SIGTERM)();
    expect(await result).toBeUndefined();
    expect(process.exitCode).toBe(130);
    expect(calls).toEqual(['stop', 'log run again with --resume', 'stop', 'close']);
    expect(process.listeners('SIGINT')).toEqual(before.SIGINT);
    expect(process.listeners('SIGTERM')).toEqual(before.SIGTERM);
  });

  it("returns the work's result, and rethrows its own errors, closing the model either way", async () => {
    const { calls, options } = recorder();
    expect(await runInterruptible(options, async () => 42)).toBe(42);
    await expect(runInterruptible(options, async () => Promise.reject(new Error('endpoint down')))).rejects.toThrow('endpoint down');
    expect(process.exitCode).toBeUndefined();
    expect(calls).toEqual(['stop', 'close', 'stop', 'close']);
  });
});
