/**
 * Atomic JSON writing for files too large for one string: Video-R1-260k's annotations are several
 * hundred MB, beyond V8's longest string. Items are serialised one at a time, in chunks of about
 * 1 MiB, through @video-r1/cli-kit's `writeFileAtomic` (temporary sibling, fsync, rename: readers,
 * and a restart after `kill -9`, see the old file or the new one, never a torn one).
 */
import { writeFileAtomic } from '@video-r1/cli-kit';

const CHUNK_CHARS = 1 << 20;

/** `indent(JSON.stringify(value, null, 2))` at `depth` levels of two spaces. */
function indented(value: unknown, depth: number): string {
  const pad = '  '.repeat(depth);
  return pad + JSON.stringify(value, null, 2).replace(/\n/g, `\n${pad}`);
}

function* jsonChunks(items: Iterable<unknown>, key: string | undefined, rest: Record<string, unknown>): Generator<string> {
  const depth = key === undefined ? 1 : 2;
  let buffer = key === undefined ? '[' : `{\n  ${JSON.stringify(key)}: [`;
  let first = true;
  for (const item of items) {
    buffer += `${first ? '\n' : ',\n'}${indented(item, depth)}`;
    first = false;
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  buffer += first ? ']' : `\n${'  '.repeat(depth - 1)}]`;
  if (key !== undefined) {
    for (const [name, value] of Object.entries(rest)) buffer += `,\n  ${JSON.stringify(name)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
    buffer += '\n}';
  }
  yield `${buffer}\n`;
}

/**
 * Writes `items` as a JSON array — alone (`key` undefined) or as the first member `key` of an
 * object whose other members are `rest` — formatted as `JSON.stringify(…, null, 2)` would.
 */
export function writeJsonArrayAtomic(path: string, items: Iterable<unknown>, key?: string, rest: Record<string, unknown> = {}): Promise<void> {
  return writeFileAtomic(path, jsonChunks(items, key, rest));
}
