// What the subset-*-vectors scripts share: reading the parity cases of a vectors directory, and
// packing the binary arrays a subset refers to into one fixture file each (rewriting their offsets).
import fs from 'node:fs';
import path from 'node:path';

/** The cases of `<src>/cases.jsonl` that `wanted` keeps. */
export function readCases(src, wanted) {
  return fs
    .readFileSync(path.join(src, 'cases.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
    .filter(wanted);
}

const size = (ref) => ref.shape.reduce((a, b) => a * b, 1) * (ref.dtype === 'uint8' ? 1 : 4);

/** Packers reading `{ bin, offset, shape, dtype }` references under `src` and writing `<out>/<name>`. */
export function packers(src, out) {
  const bins = new Map();
  const readBin = (rel) => {
    if (!bins.has(rel)) bins.set(rel, fs.readFileSync(path.join(src, rel)));
    return bins.get(rel);
  };
  return function packer(name) {
    const chunks = [];
    const seen = new Map();
    let offset = 0;
    return {
      /** The reference rewritten into this file (an array seen before is stored once). */
      add(ref) {
        const key = `${ref.bin}:${ref.offset}:${size(ref)}`;
        if (!seen.has(key)) {
          chunks.push(readBin(ref.bin).subarray(ref.offset, ref.offset + size(ref)));
          seen.set(key, offset);
          offset += size(ref);
        }
        return { ...ref, bin: name, offset: seen.get(key) };
      },
      /** Writes the file; returns its size in bytes. */
      write() {
        fs.writeFileSync(path.join(out, name), Buffer.concat(chunks));
        return offset;
      },
    };
  };
}

/** Writes the subset: frames into `<prefix>-assets.bin`, `expect(c, expected)` rewrites each case's expectations, cases into `<prefix>-cases.jsonl`. */
export function writeSubset(src, out, prefix, cases, expect) {
  const packer = packers(src, out);
  const assets = packer(`${prefix}-assets.bin`);
  const expected = packer(`${prefix}-expect.bin`);
  fs.mkdirSync(out, { recursive: true });
  const lines = cases.map((c) => {
    for (const key of ['images', 'videos']) if (Array.isArray(c.input[key])) c.input[key] = c.input[key].map((r) => assets.add(r));
    expect(c, expected);
    return JSON.stringify(c);
  });
  fs.writeFileSync(path.join(out, `${prefix}-cases.jsonl`), lines.join('\n') + '\n');
  console.log(`${cases.length} cases, assets ${assets.write()} B, expect ${expected.write()} B → ${out}`);
}
