import { DatasetFormatError } from '../errors.js';

/** One record's bytes cut out of the file, not yet parsed. */
export interface RawRecord {
  /** The record's text; `undefined` when it exceeded `maxRecordBytes` and was not kept. */
  text: string | undefined;
  index: number;
  line: number;
  byteOffset: number;
  byteLength: number;
  /** The file's last JSON line, not ended by a line break (where a cut-off download ends). */
  unterminated?: boolean;
}

/** Cuts a byte stream into records, chunk by chunk, without holding more than one record. */
export interface RecordSplitter {
  push(chunk: Buffer, out: RawRecord[]): void;
  end(out: RawRecord[]): void;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const CR = 0x0d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;

function isSpace(b: number): boolean {
  return b === 0x20 || b === NEWLINE || b === CR || b === 0x09;
}

function showByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/** Accumulates the bytes of the record being cut, across chunks, up to a size cap. */
class Pending {
  private pieces: Buffer[] = [];
  length = 0;
  overflow = false;
  constructor(private readonly maxBytes: number) {}

  add(piece: Buffer): void {
    if (piece.length === 0) return;
    this.length += piece.length;
    if (this.overflow) return;
    if (this.length > this.maxBytes) {
      this.overflow = true;
      this.pieces = [];
      return;
    }
    this.pieces.push(piece);
  }

  /** Text of the pieces plus `tail`, then reset. */
  take(tail: Buffer): string | undefined {
    this.add(tail);
    let text: string | undefined;
    if (!this.overflow) {
      text = this.pieces.length === 1 ? this.pieces[0]!.toString('utf8') : Buffer.concat(this.pieces, this.length).toString('utf8');
    }
    this.pieces = [];
    this.length = 0;
    this.overflow = false;
    return text;
  }
}

type ArrayPhase = 'start' | 'beforeFirst' | 'beforeValue' | 'inValue' | 'afterValue' | 'end';

/**
 * Splits a top-level JSON array into its elements by tracking strings and brackets only;
 * each element is then handed to the native `JSON.parse`. Inside strings it jumps from
 * quote to quote with `indexOf`, so long texts cost almost nothing to scan.
 */
export class JsonArraySplitter implements RecordSplitter {
  private phase: ArrayPhase = 'start';
  private inString = false;
  private escape = false;
  private stack = new Uint8Array(64);
  private depth = 0;
  private scalar = false; // element is a bare number/literal: ends at , ] or space
  private line = 1;
  private offset = 0; // file byte offset of the current chunk's first byte
  private index = 0;
  private start = { line: 1, byte: 0 };
  private readonly pending: Pending;

  constructor(
    private readonly file: string,
    maxRecordBytes: number,
    baseOffset = 0,
  ) {
    this.pending = new Pending(maxRecordBytes);
    this.offset = baseOffset;
  }

  private fail(message: string, at: number): never {
    throw new DatasetFormatError(this.file, `${message} (line ${this.line}, byte ${at})`, {
      byteOffset: at,
      index: this.index,
      line: this.line,
    });
  }

  private emit(buf: Buffer, from: number, to: number, out: RawRecord[]): void {
    const byteLength = this.pending.length + (to - from);
    const text = this.pending.take(buf.subarray(from, to));
    out.push({ text, index: this.index, line: this.start.line, byteOffset: this.start.byte, byteLength });
    this.index++;
    this.phase = 'afterValue';
  }

  push(buf: Buffer, out: RawRecord[]): void {
    const n = buf.length;
    let i = 0;
    let valueFrom = this.phase === 'inValue' ? 0 : -1;
    if (this.inString && this.escape) {
      this.escape = false;
      i = 1;
    }
    while (i < n) {
      if (this.inString) {
        const q = buf.indexOf(QUOTE, i);
        if (q === -1) {
          let k = n - 1;
          while (k >= i && buf[k] === BACKSLASH) k--;
          this.escape = (n - 1 - k) % 2 === 1;
          i = n;
          break;
        }
        let k = q - 1;
        while (k >= i && buf[k] === BACKSLASH) k--;
        i = q + 1;
        if ((q - 1 - k) % 2 === 1) continue; // escaped quote
        this.inString = false;
        if (this.depth === 0 && this.phase === 'inValue') this.emit(buf, valueFrom, i, out);
        continue;
      }
      const b = buf[i]!;
      switch (this.phase) {
        case 'inValue': {
          if (this.scalar) {
            if (b === COMMA || b === RBRACKET || isSpace(b)) {
              this.scalar = false;
              this.emit(buf, valueFrom, i, out);
              continue; // re-read the delimiter in 'afterValue'
            }
            i++;
            continue;
          }
          if (b === QUOTE) this.inString = true;
          else if (b === LBRACE || b === LBRACKET) {
            if (this.depth === this.stack.length) {
              const grown = new Uint8Array(this.stack.length * 2);
              grown.set(this.stack);
              this.stack = grown;
            }
            this.stack[this.depth++] = b;
          } else if (b === RBRACE || b === RBRACKET) {
            const open = this.stack[this.depth - 1];
            if (this.depth === 0 || open !== (b === RBRACE ? LBRACE : LBRACKET)) {
              this.fail(`record ${this.index} is malformed: ${showByte(b)} does not close ${open === undefined ? 'anything' : showByte(open)}`, this.offset + i);
            }
            this.depth--;
            if (this.depth === 0) {
              i++;
              this.emit(buf, valueFrom, i, out);
              continue;
            }
          } else if (b === NEWLINE) this.line++;
          i++;
          continue;
        }
        default:
          break;
      }
      if (isSpace(b)) {
        if (b === NEWLINE) this.line++;
        i++;
        continue;
      }
      switch (this.phase) {
        case 'start':
          if (b !== LBRACKET) this.fail(`expected a JSON array starting with '[', found ${showByte(b)}`, this.offset + i);
          this.phase = 'beforeFirst';
          i++;
          break;
        case 'beforeFirst':
        case 'beforeValue':
          if (b === RBRACKET && this.phase === 'beforeFirst') {
            this.phase = 'end';
            i++;
            break;
          }
          if (b === RBRACKET || b === COMMA) {
            this.fail(`expected record ${this.index}, found ${showByte(b)} (a trailing or doubled comma?)`, this.offset + i);
          }
          this.phase = 'inValue';
          this.start = { line: this.line, byte: this.offset + i };
          valueFrom = i;
          if (b === QUOTE) this.inString = true;
          else if (b === LBRACE || b === LBRACKET) this.stack[this.depth++] = b;
          else this.scalar = true;
          i++;
          break;
        case 'afterValue':
          if (b === COMMA) this.phase = 'beforeValue';
          else if (b === RBRACKET) this.phase = 'end';
          else this.fail(`expected ',' or ']' after record ${this.index - 1}, found ${showByte(b)}`, this.offset + i);
          i++;
          break;
        case 'end':
          this.fail(`unexpected ${showByte(b)} after the closing ']' of the array`, this.offset + i);
          break;
        default:
          break;
      }
    }
    if (this.phase === 'inValue') this.pending.add(buf.subarray(valueFrom, n));
    this.offset += n;
  }

  end(out: RawRecord[]): void {
    if (this.phase === 'inValue' && this.scalar) {
      this.scalar = false;
      this.emit(Buffer.alloc(0), 0, 0, out);
    }
    switch (this.phase) {
      case 'end':
        return;
      case 'start':
        throw new DatasetFormatError(this.file, 'the file is empty; expected a JSON array or JSON lines');
      case 'inValue':
        throw new DatasetFormatError(
          this.file,
          `truncated JSON: the file ends inside record ${this.index} (which starts at line ${this.start.line}, byte ${this.start.byte}) after ${this.index} complete records; the file is probably an incomplete download — fetch it again`,
          { byteOffset: this.offset, index: this.index, line: this.line },
        );
      default:
        throw new DatasetFormatError(
          this.file,
          `truncated JSON: the file ends after ${this.index} records without the closing ']'; the file is probably an incomplete download — fetch it again`,
          { byteOffset: this.offset, index: this.index, line: this.line },
        );
    }
  }
}

/**
 * Splits JSON lines: one record per non-blank line, `\r\n` or `\n`. Blank lines are
 * skipped but counted, so reported line numbers match an editor's.
 */
export class JsonLinesSplitter implements RecordSplitter {
  private line = 1;
  private index = 0;
  private offset: number;
  private lineStart: number;
  private readonly pending: Pending;
  private pendingBlank = true;

  constructor(maxRecordBytes: number, baseOffset = 0) {
    this.pending = new Pending(maxRecordBytes);
    this.offset = baseOffset;
    this.lineStart = baseOffset;
  }

  private finishLine(buf: Buffer, from: number, to: number, out: RawRecord[], unterminated = false): void {
    let end = to;
    if (end > from && buf[end - 1] === CR) end--;
    const blank = this.pendingBlank && isBlank(buf, from, end);
    const byteLength = this.pending.length + (end - from);
    if (blank) {
      this.pending.take(Buffer.alloc(0));
    } else {
      let text = this.pending.take(buf.subarray(from, end));
      // A `\r` that ended the previous chunk belongs to this line's terminator.
      if (text !== undefined && text.endsWith('\r')) text = text.slice(0, -1);
      out.push({ text, index: this.index, line: this.line, byteOffset: this.lineStart, byteLength, ...(unterminated ? { unterminated } : {}) });
      this.index++;
    }
    this.pendingBlank = true;
  }

  push(buf: Buffer, out: RawRecord[]): void {
    let from = 0;
    for (;;) {
      const nl = buf.indexOf(NEWLINE, from);
      if (nl === -1) break;
      this.finishLine(buf, from, nl, out);
      this.line++;
      from = nl + 1;
      this.lineStart = this.offset + from;
    }
    if (from < buf.length) {
      if (this.pendingBlank && !isBlank(buf, from, buf.length)) this.pendingBlank = false;
      this.pending.add(buf.subarray(from));
    }
    this.offset += buf.length;
  }

  end(out: RawRecord[]): void {
    if (this.pending.length > 0) this.finishLine(Buffer.alloc(0), 0, 0, out, true);
  }
}

function isBlank(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(buf[i]!)) return false;
  return true;
}
