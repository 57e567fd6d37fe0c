// Tiny models and inputs shared by the tests (sizes chosen so the suite stays fast on 2 cores).
import { createRng } from '@video-r1/tensor';

import type { FrameStack } from '@video-r1/video-io';
import { type PolicyConfigInput, Tokenizer, createPolicy, type Policy } from '../src/index.js';

export const TEMPLATE =
  'Please think about this question as if you were a human pondering deeply. Provide your detailed reasoning ' +
  'between the <think> </think> tags, and then give your final answer between the <answer> </answer> tags.';

export const PROMPTS = [
  `In which direction does the red square move? Options:\nA. left\nB. right\nC. up\nD. down\n${TEMPLATE}`,
  `How many times does the blue circle flash?\n${TEMPLATE}`,
];

export const TARGETS = [
  '<think>The square starts at the left edge and ends at the right edge, so it moves right.</think>\n<answer>B</answer>',
  '<think>I count the frames where the circle is lit: 3 separate flashes.</think>\n<answer>3</answer>',
];

export const TINY_CONFIG: PolicyConfigInput = {
  dModel: 16,
  nLayers: 2,
  nHeads: 2,
  dFF: 32,
  maxTextLength: 96,
  vision: { height: 8, width: 8, patchSize: 4, temporalPatch: 2, maxFrames: 8 },
  seed: 1,
};

export function tinyTokenizer(): Tokenizer {
  return Tokenizer.fit([...PROMPTS, ...TARGETS]);
}

export function tinyPolicy(config: PolicyConfigInput = TINY_CONFIG): Policy {
  return createPolicy(config, tinyTokenizer());
}

/** Frames whose content differs per frame (a bright column moving right). */
export function movingFrames(frames = 8, height = 8, width = 8, seed = 3): FrameStack {
  const rng = createRng(seed);
  const data = new Uint8Array(frames * height * width * 3);
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const base = ((f * height + y) * width + x) * 3;
        const lit = x === f % width ? 255 : Math.floor(rng() * 40);
        data[base] = lit;
        data[base + 1] = Math.floor(rng() * 40);
        data[base + 2] = 255 - lit;
      }
    }
  }
  return { data, frames, height, width };
}
