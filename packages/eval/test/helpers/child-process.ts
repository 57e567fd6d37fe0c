/**
 * What the kill -9 tests share: a TypeScript child process watched until it exits, a gate that
 * holds a scripted server's answers, and polling for a state with a message that says what was
 * not reached.
 */
import { spawn } from 'node:child_process';

export interface WatchedChild {
  /** The signal that ended it, or its exit code. */
  exited: Promise<NodeJS.Signals | number | null>;
  readonly gone: boolean;
  readonly stderr: string;
  kill(signal: NodeJS.Signals): void;
}

/** Runs `script` under tsx with `env` added to this process's environment. */
export function spawnTsx(script: string, env: Record<string, string>): WatchedChild {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let gone = false;
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      gone = true;
      resolve(signal ?? code);
    }),
  );
  return {
    exited,
    get gone() {
      return gone;
    },
    get stderr() {
      return stderr;
    },
    kill: (signal) => child.kill(signal),
  };
}

/** A promise that stays pending until `open()`: a scripted server awaits it to hold requests. */
export function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Polls `reached` (which describes the state it saw) until it returns true; throws with the last state on timeout or when `child` exits first. */
export async function waitUntil(child: WatchedChild, timeoutMs: number, reached: () => Promise<{ done: boolean; state: string }>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const { done, state } = await reached();
    if (done) return;
    last = state;
    if (child.gone) throw new Error(`the child exited before the state was reached (last: ${last}); its stderr:\n${child.stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not reached within ${timeoutMs} ms (last: ${last}); the child's stderr:\n${child.stderr}`);
}
