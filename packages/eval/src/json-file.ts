import { readFile } from 'node:fs/promises';

import { writeFileAtomic as atomicWrite, writeJsonAtomic as atomicJson } from '@video-r1/cli-kit';

/**
 * Atomic write (temporary sibling, fsync, rename).
 * @deprecated Moved to @video-r1/cli-kit (`writeFileAtomic`, the one implementation); this re-export goes in the next minor release.
 */
export const writeFileAtomic: typeof atomicWrite = atomicWrite;

/**
 * Atomic pretty-printed JSON.
 * @deprecated Moved to @video-r1/cli-kit (`writeJsonAtomic`); this re-export goes in the next minor release.
 */
export const writeJsonAtomic: typeof atomicJson = atomicJson;

/**
 * Parses JSON as Python's `json` module writes it: Video-R1's files may hold the bare tokens
 * `NaN`, `Infinity` and `-Infinity` (e.g. `final_acc` of an empty mean). Those become `null`
 * only when the strict parse fails, and only outside strings.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (strictError) {
    const patched = replaceNonFiniteTokens(text);
    if (patched === text) throw strictError;
    return JSON.parse(patched);
  }
}

function replaceNonFiniteTokens(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (ch === '"') {
        inString = false;
      }
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    const token = text.startsWith('NaN', i) ? 'NaN' : text.startsWith('-Infinity', i) ? '-Infinity' : text.startsWith('Infinity', i) ? 'Infinity' : null;
    if (token) {
      out += 'null';
      i += token.length - 1;
      continue;
    }
    out += ch;
  }
  return out;
}

/** Reads and parses a JSON file; errors name the file and say what to do. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return parsePythonJson(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); fix or move the file away`);
  }
}
