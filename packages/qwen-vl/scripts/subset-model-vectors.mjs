// Copies a subset of the forward / logprobs / generate / lora parity cases into
// test/fixtures/model-cases.jsonl, with the frames they use packed into model-assets.bin and the
// expected arrays into model-expect.bin (offsets rewritten). `models/<name>` and `adapters/<name>`
// resolve to the fixture checkpoints and adapters next to them.
//
//   node scripts/subset-model-vectors.mjs <vectors dir> [fixtures dir]
import path from 'node:path';

import { readCases, writeSubset } from './vector-subset.mjs';

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

const cases = readCases(src, (c) => WANTED.has(c.id));

const isRef = (v) => v !== null && typeof v === 'object' && 'bin' in v && 'shape' in v;
writeSubset(src, out, 'model', cases, (c, expected) => {
  const repack = (v) => {
    if (isRef(v)) return expected.add(v);
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, repack(x)]));
    return v;
  };
  c.expect = repack(c.expect);
});
