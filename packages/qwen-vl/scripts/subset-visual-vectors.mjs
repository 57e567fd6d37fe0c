// Copies a subset of the processor / ropeIndex / vision parity cases into test/fixtures/visual-cases.jsonl,
// with the frames they use packed into visual-assets.bin and the expected arrays kept into
// visual-expect.bin (offsets rewritten; `models/<name>` resolves to the fixture checkpoints next to them). Pixel expectations are kept only for the cases in KEEP_PIXELS (the tests check the others
// against an independent reference implementation); the 5 MB processor blob is never copied whole.
//
//   node scripts/subset-visual-vectors.mjs <vectors dir> [fixtures dir]
import fs from 'node:fs';
import path from 'node:path';

const src = path.resolve(process.argv[2] ?? '../../../shared/vectors/qwenvl');
const out = path.resolve(process.argv[3] ?? 'test/fixtures');
const PROCESSOR = ['0000', '0001', '0005', '0009', '0013', '0014', '0015', '0017'];
const VISION = ['0000', '0001', '0004', '0007', '0008', '0009', '0010'];
const KEEP_PIXELS = new Set(['processor-tiny-a-0001']);

const wanted = (c) =>
  c.kind === 'ropeIndex' ||
  (c.kind === 'processor' && PROCESSOR.includes(c.id.slice(-4))) ||
  (c.kind === 'vision' && VISION.includes(c.id.slice(-4)));
const cases = fs
  .readFileSync(path.join(src, 'cases.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l))
  .filter(wanted);

const bins = new Map();
const readBin = (rel) => {
  if (!bins.has(rel)) bins.set(rel, fs.readFileSync(path.join(src, rel)));
  return bins.get(rel);
};
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
const assets = packer('visual-assets.bin');
const expected = packer('visual-expect.bin');
fs.mkdirSync(out, { recursive: true });
const lines = cases.map((c) => {
  for (const key of ['images', 'videos']) if (Array.isArray(c.input[key])) c.input[key] = c.input[key].map((r) => assets.add(r));
  for (const [key, v] of Object.entries(c.expect)) {
    if (!(v && typeof v === 'object' && 'bin' in v)) continue;
    if (key.startsWith('pixel_values') && !KEEP_PIXELS.has(c.id)) delete c.expect[key];
    else c.expect[key] = expected.add(v);
  }
  return JSON.stringify(c);
});
fs.writeFileSync(path.join(out, 'visual-cases.jsonl'), lines.join('\n') + '\n');
console.log(`${cases.length} cases, assets ${assets.write()} B, expect ${expected.write()} B → ${out}`);
