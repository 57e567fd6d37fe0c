// Copies a subset of the processor / ropeIndex / vision parity cases into test/fixtures/visual-cases.jsonl,
// with the frames they use packed into visual-assets.bin and the expected arrays kept into
// visual-expect.bin (offsets rewritten; `models/<name>` resolves to the fixture checkpoints next to them). Pixel expectations are kept only for the cases in KEEP_PIXELS (the tests check the others
// against an independent reference implementation); the 5 MB processor blob is never copied whole.
//
//   node scripts/subset-visual-vectors.mjs <vectors dir> [fixtures dir]
import path from 'node:path';

import { readCases, writeSubset } from './vector-subset.mjs';

const src = path.resolve(process.argv[2] ?? '../../../shared/vectors/qwenvl');
const out = path.resolve(process.argv[3] ?? 'test/fixtures');
const PROCESSOR = ['0000', '0001', '0005', '0009', '0013', '0014', '0015', '0017'];
const VISION = ['0000', '0001', '0004', '0007', '0008', '0009', '0010'];
const KEEP_PIXELS = new Set(['processor-tiny-a-0001']);

const wanted = (c) =>
  c.kind === 'ropeIndex' ||
  (c.kind === 'processor' && PROCESSOR.includes(c.id.slice(-4))) ||
  (c.kind === 'vision' && VISION.includes(c.id.slice(-4)));
const cases = readCases(src, wanted);

writeSubset(src, out, 'visual', cases, (c, expected) => {
  for (const [key, v] of Object.entries(c.expect)) {
    if (!(v && typeof v === 'object' && 'bin' in v)) continue;
    if (key.startsWith('pixel_values') && !KEEP_PIXELS.has(c.id)) delete c.expect[key];
    else c.expect[key] = expected.add(v);
  }
});
