/**
 * Atomic JSON writing for files too large for one string: Video-R1-260k's annotations are several
 * hundred MB, beyond V8's longest string. Items are serialised one at a time into a temporary
 * sibling file, which is fsynced and renamed over the target (readers, and a restart after
 * `kill -9`, see the old file or the new one, never a torn one).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const CHUNK_CHARS = 1 << 20;

/** `indent(JSON.stringify(value, null, 2))` at `depth` levels of two spaces. */
function indented(value: unknown, depth: number): string {
  const pad = '  '.repeat(depth);
  return pad + JSON.stringify(value, null, 2).replace(/\n/g, `\n${pad}`);
}

/**
 * Writes `items` as a JSON array — alone (`key` undefined) or as the first member `key` of an
 * object whose other members are `rest` — formatted as `JSON.stringify(…, null, 2)` would.
 */
export async function writeJsonArrayAtomic(path: string, items: Iterable<unknown>, key?: string, rest: Record<string, unknown> = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // The same temporary-name pattern as writeFileAtomic, so removeStaleTemporaries finds ours too.
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await open(tmp, 'w');
  try {
    const depth = key === undefined ? 1 : 2;
    let buffer = key === undefined ? '[' : `{\n  ${JSON.stringify(key)}: [`;
    let first = true;
    for (const item of items) {
      buffer += `${first ? '\n' : ',\n'}${indented(item, depth)}`;
      first = false;
      if (buffer.length >= CHUNK_CHARS) {
        await handle.write(buffer);
        buffer = '';
      }
    }
    buffer += first ? ']' : `\n${'  '.repeat(depth - 1)}]`;
    if (key !== undefined) {
      for (const [name, value] of Object.entries(rest)) buffer += `,\n  ${JSON.stringify(name)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
      buffer += '\n}';
    }
    await handle.write(`${buffer}\n`);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
