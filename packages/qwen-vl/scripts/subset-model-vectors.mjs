// Copies a subset of the forward / logprobs / generate / lora parity cases into
// test/fixtures/model-cases.jsonl, with the frames they use packed into model-assets.bin and the
// expected arrays into model-expect.bin (offsets rewritten). `models/<name>` and `adapters/<name>`
// resolve to the fixture checkpoints and adapters next to them.
//
//   node scripts/subset-model-vectors.mjs <vectors dir> [fixtures dir]
import fs from 'node:fs';
import path from 'node:path';

const src = path.resolve(process.argv[2] ?? '../../../shared/vectors/qwenvl');
const out = path.resolve(process.argv[3] ?? 'test/fixtures');
// Small, fast cases covering: text only, images, videos, several visuals per row, left padding,
// all three checkpoints (F32 hub, BF16 sharded tied, F16 ≥4.52 layout), gradients, adapters.
const WANTED = new Set([
  'forward-tiny-a-0012', 'forward-tiny-c-0010', 'forward-tiny-c-0009',
  'logprobs-tiny-b-0005', 'logprobs-tiny-a-0002', 'logprobs-tiny-a-0011',
  'generate-tiny-a-0008', 'generate-tiny-c-0009', 'generate-tiny-c-0007', 'generate-tiny-a-0003', 'generate-tiny-b-0004',
  'lora-tiny-a-0003', 'lora-tiny-c-0006', 'lora-tiny-a-0005', 'lora-tiny-b-0002',
]);

const cases = fs
  .readFileSync(path.join(src, 'cases.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l))
  .filter((c) => WANTED.has(c.id));

const bins = new Map();
const readBin = (rel) => {
  if (!bins.has(rel)) bins.set(rel, fs.readFileSync(path.join(src, rel)));
  return bins.get(rel);
};
const isRef = (v) => v !== null && typeof v === 'object' && 'bin' in v && 'shape' in v;
const size = (ref) => ref.shape.reduce((a, b) => a * b, 1) * (ref.dtype === 'uint8' ? 1 : 4);
function packer(name) {
  const chunks = [];
  const seen = new Map();
  let offset = 0;
  return {
    add(ref) {
      const key = `${ref.bin}:${ref.offset}:${size(ref)}`;
      if (!seen.has(key)) {
        chunks.push(readBin(ref.bin).subarray(ref.offset, ref.offset + size(ref)));
        seen.set(key, offset);
        offset += size(ref);
      }
      return { ...ref, bin: name, offset: seen.get(key) };
    },
    write() {
      fs.writeFileSync(path.join(out, name), Buffer.concat(chunks));
      return offset;
    },
  };
}
const assets = packer('model-assets.bin');
const expected = packer('model-expect.bin');
const repack = (v) => {
  if (isRef(v)) return expected.add(v);
  if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, repack(x)]));
  return v;
};
fs.mkdirSync(out, { recursive: true });
const lines = cases.map((c) => {
  for (const key of ['images', 'videos']) if (Array.isArray(c.input[key])) c.input[key] = c.input[key].map((r) => assets.add(r));
  c.expect = repack(c.expect);
  return JSON.stringify(c);
});
fs.writeFileSync(path.join(out, 'model-cases.jsonl'), lines.join('\n') + '\n');
console.log(`${cases.length} cases, assets ${assets.write()} B, expect ${expected.write()} B → ${out}`);
