import { stripVTControlCharacters } from 'node:util';

interface OutputStream {
  readonly isTTY?: boolean;
}

/**
 * Whether text written to `stream` may carry ANSI colours: `FORCE_COLOR` (any value but `0`/`false`)
 * forces them, `NO_COLOR` (any non-empty value, no-color.org) or `NODE_DISABLE_COLORS` turn them
 * off, and otherwise only a terminal that is not `TERM=dumb` gets them — a pipe or a file never does.
 */
export function colorsEnabled(stream: OutputStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  if ((env.NO_COLOR ?? '') !== '' || (env.NODE_DISABLE_COLORS ?? '') !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** `text` as it may be written to `stream`: its ANSI sequences removed unless colours are enabled there. */
export function colorsFor(stream: OutputStream, text: string, env: NodeJS.ProcessEnv = process.env): string {
  return colorsEnabled(stream, env) ? text : stripVTControlCharacters(text);
}
