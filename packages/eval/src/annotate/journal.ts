/**
 * The per-sample journal of an annotation run: one JSON line per finished sample, appended as each
 * one finishes. The output files are rewritten whole only now and then (they can be hundreds of MB
 * for Video-R1-260k); the journal is what makes a `kill -9` lose no finished sample. A write cut
 * short by the kill leaves at most one partial last line, which `openJournal` cuts off.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';

export interface Journal {
  /** Appends one record; lines are written one at a time, in call order. */
  append(record: unknown): Promise<void>;
  /** Waits for pending appends and closes the file. */
  close(): Promise<void>;
  /** Closes and deletes the journal (once the output files hold everything it held). */
  remove(): Promise<void>;
}

/** Cuts a partial last line (no final `\n`) off the file; returns its size afterwards. */
async function cutTornTail(path: string): Promise<number> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const handle = await open(path, 'r');
  try {
    const block = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - block.length);
      const { bytesRead } = await handle.read(block, 0, end - start, start);
      const newline = block.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline !== -1) {
        const keep = start + newline + 1;
        if (keep < size) await truncate(path, keep);
        return keep;
      }
      end = start;
    }
  } finally {
    await handle.close();
  }
  if (size > 0) await truncate(path, 0);
  return 0;
}

/** Every record in the journal, streamed line by line (the file may exceed V8's longest string). */
export async function* readJournal(path: string): AsyncGenerator<unknown> {
  if ((await cutTornTail(path)) === 0) return;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let index = 0;
  for await (const line of lines) {
    index++;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line);
    } catch (error) {
      throw new Error(`${path}: line ${index} is not JSON (${(error as Error).message}); the journal is damaged — move it away to resume from the results file alone`);
    }
  }
}

/** Opens the journal for appending; `header` becomes the first line of a new (or empty) journal. */
export async function openJournal(path: string, header?: unknown): Promise<Journal> {
  await mkdir(dirname(path), { recursive: true });
  const size = await cutTornTail(path);
  let handle: FileHandle | null = await open(path, 'a');
  if (size === 0 && header !== undefined) await handle.write(`${JSON.stringify(header)}\n`);
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const closeHandle = async (): Promise<void> => {
    await chain;
    const h = handle;
    handle = null;
    await h?.close();
    if (failure) throw failure;
  };
  return {
    append(record) {
      const line = `${JSON.stringify(record)}\n`;
      chain = chain.then(async () => {
        if (!handle) {
          failure ??= new Error(`${path}: append after close`);
          return;
        }
        try {
          await handle.write(line);
        } catch (error) {
          failure ??= error;
        }
      });
      return chain;
    },
    close: closeHandle,
    async remove() {
      await closeHandle();
      await rm(path, { force: true });
    },
  };
}
