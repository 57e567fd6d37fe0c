/**
 * Child process for the kill -9 test: annotates `manySamples(ANNOTATE_SAMPLES)` against the server
 * at ANNOTATE_SERVER_URL into ANNOTATE_OUT, resuming whatever is there, until it is killed.
 */
import { COT_DECODING, openAIAdapter, runAnnotation } from '../../src/index.js';
import { fakeFrames, manySamples } from './annotate-samples.js';

const url = process.env.ANNOTATE_SERVER_URL;
const out = process.env.ANNOTATE_OUT;
const mediaRoot = process.env.ANNOTATE_MEDIA_ROOT;
if (!url || !out || !mediaRoot) throw new Error('ANNOTATE_SERVER_URL, ANNOTATE_OUT and ANNOTATE_MEDIA_ROOT are required');

await runAnnotation({
  samples: manySamples(Number(process.env.ANNOTATE_SAMPLES ?? '40')),
  adapter: openAIAdapter({ baseUrl: url, model: 'teacher', decoding: COT_DECODING, retry: { maxRetries: 0 }, frameLoader: fakeFrames }),
  outDir: out,
  mediaRoot,
  concurrency: 3,
  writeIntervalMs: 100,
  resume: true,
});
