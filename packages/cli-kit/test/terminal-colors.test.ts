import { describe, expect, it } from 'vitest';
import { colorsEnabled, colorsFor } from '../src/terminal-colors.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };
const coloured = '\u001B[1mUSAGE\u001B[22m \u001B[36mtool\u001B[39m';

describe('colorsEnabled', () => {
  it('colours a terminal, never a pipe or a file', () => {
    expect(colorsEnabled(tty, {})).toBe(true);
    expect(colorsEnabled(pipe, {})).toBe(false);
    expect(colorsEnabled({}, {})).toBe(false);
    expect(colorsEnabled(tty, { TERM: 'dumb' })).toBe(false);
  });

  it('NO_COLOR (any non-empty value) and NODE_DISABLE_COLORS turn colours off on a terminal', () => {
    expect(colorsEnabled(tty, { NO_COLOR: 'yes' })).toBe(false);
    expect(colorsEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorsEnabled(tty, { NO_COLOR: '' })).toBe(true);
    expect(colorsEnabled(tty, { NODE_DISABLE_COLORS: '1' })).toBe(false);
  });

  it('FORCE_COLOR wins over both, unless it is 0 or false', () => {
    expect(colorsEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorsEnabled(pipe, { FORCE_COLOR: 'true', NO_COLOR: '1' })).toBe(true);
    expect(colorsEnabled(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorsEnabled(tty, { FORCE_COLOR: 'false' })).toBe(false);
  });
});

describe('colorsFor', () => {
  it('strips ANSI sequences where colours are off and keeps them where they are on', () => {
    expect(colorsFor(pipe, coloured, {})).toBe('USAGE tool');
    expect(colorsFor(tty, coloured, {})).toBe(coloured);
  });
});
