import { spawn } from 'node:child_process';
import { VideoIoError, quotePath } from '../errors.js';

export interface RunOptions {
  /** The media file the command works on, named in errors. */
  file?: string;
  /** Kill the process (SIGKILL) after this many milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Bytes written to the child's stdin, then closed. */
  stdin?: Uint8Array | string | AsyncIterable<Uint8Array>;
  /** Receives stdout as it arrives; when absent stdout is collected into `RunResult.stdout`. */
  onStdout?: (chunk: Buffer) => void;
  /** Keep at most this many trailing bytes of stderr (default 64 KiB). */
  stderrLimit?: number;
  /** Sees every stderr line; lines it returns `true` for are consumed (kept out of `RunResult.stderr`). */
  onStderrLine?: (line: string) => boolean;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** The child's pid, for callers that check nothing is left behind. */
  pid: number | undefined;
}

const live = new Set<number>();

/** Pids of ffmpeg/ffprobe children this module started that have not exited yet. */
export function liveChildPids(): number[] {
  return [...live];
}

/**
 * Run a binary and wait for it to exit. The promise settles only after the child is gone
 * (on timeout or abort it is SIGKILLed first), so no caller can leave a process behind.
 * A non-zero exit is not an error here: callers turn stderr into an error they can explain.
 */
export function runProcess(bin: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { file, timeoutMs, signal, onStdout } = options;
  const stderrLimit = options.stderrLimit ?? 64 * 1024;
  const where = file === undefined ? '' : ` for ${quotePath(file)}`;

  return new Promise<RunResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new VideoIoError('ABORTED', `aborted before starting ${bin}${where}`, { file, cause: signal.reason }));
      return;
    }
    const child = spawn(bin, args, {
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const pid = child.pid;
    if (pid !== undefined) live.add(pid);

    const stdoutChunks: Buffer[] = [];
    let stderr = '';
    let failure: VideoIoError | undefined;
    let timer: NodeJS.Timeout | undefined;

    const kill = (error: VideoIoError): void => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const onAbort = (): void =>
      kill(new VideoIoError('ABORTED', `aborted: ${bin}${where}`, { file, cause: signal?.reason }));

    if (timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      timer = setTimeout(
        () => kill(new VideoIoError('TIMEOUT', `${bin}${where} did not finish within ${timeoutMs} ms; killed it`, { file })),
        timeoutMs,
      );
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout?.on('data', (chunk: Buffer) => {
      if (failure) return;
      if (onStdout) {
        try {
          onStdout(chunk);
        } catch (error) {
          kill(
            error instanceof VideoIoError
              ? error
              : new VideoIoError('DECODE_FAILED', `reading the output of ${bin}${where} failed: ${String(error)}`, { file, cause: error }),
          );
        }
      } else {
        stdoutChunks.push(chunk);
      }
    });
    let partialLine = '';
    const keep = (text: string): void => {
      stderr += text;
      if (stderr.length > 2 * stderrLimit) stderr = stderr.slice(-stderrLimit);
    };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      if (!options.onStderrLine) {
        keep(text);
        return;
      }
      const lines = (partialLine + text).split('\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) if (!options.onStderrLine(line)) keep(`${line}\n`);
    });
    child.stderr?.on('end', () => {
      if (partialLine !== '' && !options.onStderrLine?.(partialLine)) keep(partialLine);
    });

    if (child.stdin && options.stdin !== undefined) {
      // ffmpeg may exit before reading all of its input (bad arguments, a full disk): the
      // resulting EPIPE is reported through the exit status and stderr instead.
      child.stdin.on('error', () => undefined);
      // A producer that fails (unreadable input) must not leave ffmpeg waiting for more bytes.
      feedStdin(child.stdin, options.stdin).catch((error: unknown) =>
        kill(
          error instanceof VideoIoError
            ? error
            : new VideoIoError('DECODE_FAILED', `preparing the input of ${bin}${where} failed: ${error instanceof Error ? error.message : String(error)}`, {
                file,
                cause: error,
              }),
        ),
      );
    }

    child.on('error', (error) => {
      // spawn failure (ENOENT, EACCES): 'close' still follows.
      failure ??= new VideoIoError('FFMPEG_UNUSABLE', `could not start ${bin}${where}: ${error.message}`, { file, cause: error });
    });
    child.on('close', (code, exitSignal) => {
      if (pid !== undefined) live.delete(pid);
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (failure) {
        reject(failure);
        return;
      }
      resolve({
        code,
        signal: exitSignal,
        stdout: Buffer.concat(stdoutChunks),
        stderr: stderr.length > stderrLimit ? stderr.slice(-stderrLimit) : stderr,
        pid,
      });
    });
  });
}

async function feedStdin(
  stdin: NodeJS.WritableStream & { destroyed?: boolean },
  input: Uint8Array | string | AsyncIterable<Uint8Array>,
): Promise<void> {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    stdin.end(input);
    return;
  }
  for await (const chunk of input) {
    // ffmpeg stopped reading (it has all the frames it wants, or failed): stop producing.
    if (stdin.destroyed) return;
    if (!stdin.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stdin.removeListener('drain', done);
          stdin.removeListener('close', done);
          resolve();
        };
        stdin.once('drain', done);
        stdin.once('close', done);
      });
    }
  }
  stdin.end();
}

/** The most useful lines of an ffmpeg/ffprobe stderr for an error message. */
export function summarizeStderr(stderr: string, maxLines = 4): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return lines.slice(-maxLines).join(' | ');
}
