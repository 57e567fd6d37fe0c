// An evaluation adapter for @video-r1/eval: satisfies its `ModelAdapter` interface
// structurally (no import of eval), reading each sample's media through a video-io frame source
// and answering with the policy. `generateBatch` answers consecutive groups (what the runner
// uses); `generate` batches the calls that arrive together.
import { type Rng, createRng } from '@video-r1/tensor';
import { FrameSource, FrameSources, type FrameRequest, type FrameStack } from '@video-r1/video-io';

import { capFrameRequest, policyFrameRequest } from './frames.js';
import { generate } from './generate.js';
import type { Policy, PolicyInput } from './model.js';

/** What @video-r1/eval's runner passes as the second argument of `generate`. */
export interface AdapterRequest {
  prompt: string;
  media: { kind: 'video' | 'image'; path: string } | null;
  /** Frame budget of the run; the policy's own `vision.maxFrames` caps it. */
  maxFrames: number;
  maxPixels?: number;
  signal?: AbortSignal;
}

/** Where frames come from: a video-io `FrameSource`, or anything with its `frames` method. */
export interface PolicyFrameProvider {
  frames(file: string, kind: 'video' | 'image', signal?: AbortSignal): Promise<FrameStack>;
}

export interface PolicyAdapterOptions {
  policy: Policy;
  /** Written into eval outputs. Default `video-r1-policy`. */
  name?: string;
  /** Default 64. */
  maxNewTokens?: number;
  /** 0 (default) decodes greedily; above 0 samples with `seed`. */
  temperature?: number;
  topP?: number;
  seed?: number;
  /** Most samples decoded together. Default 16. */
  batchSize?: number;
  /**
   * The frames to read, whatever the run's frame budget (the trainer passes the source it trains
   * with). Without it, media are read with `frameRequest` capped by each run's budget.
   */
  frames?: PolicyFrameProvider;
  /**
   * The request media are read with when `frames` is not given: default `policyFrameRequest` of
   * the policy's vision config; pass a checkpoint's `frames` to read what it was trained on.
   */
  frameRequest?: FrameRequest;
  /**
   * Replaces media reading (tests, cached frames).
   * @deprecated Pass `frames` (a video-io `FrameSource` or any `PolicyFrameProvider`); goes in the next minor release.
   */
  loadFrames?: (media: NonNullable<AdapterRequest['media']>, maxFrames: number) => Promise<FrameStack>;
}

export type AdapterOutcome = { output: string } | { error: unknown };

export interface PolicyAdapter {
  name: string;
  /** Samples per `generateBatch` call: the runner groups pending samples by it. */
  groupSize: number;
  generate(sample: unknown, request: AdapterRequest): Promise<{ output: string }>;
  /** One output per item, in order; an item whose media cannot be read gets `{ error }`. */
  generateBatch(items: ReadonlyArray<{ sample: unknown; request: AdapterRequest }>): Promise<AdapterOutcome[]>;
  /** The frames the policy is given for `request` (null without media): what the model sees. */
  framesFor(request: AdapterRequest): Promise<FrameStack | null>;
  close(): Promise<void>;
}

interface Pending {
  input: PolicyInput;
  resolve: (value: { output: string }) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads a sample's media at the policy's frame size, sampling video frames as Video-R1 trains (2 fps, 4–16 frames).
 * @deprecated `new FrameSource({ request: policyFrameRequest(policy.config.vision, { maxFrames }) }).frames(path, kind)`; goes in the next minor release.
 */
export function readPolicyFrames(policy: Policy, media: NonNullable<AdapterRequest['media']>, maxFrames: number, signal?: AbortSignal): Promise<FrameStack> {
  return new FrameSource({ request: policyFrameRequest(policy.config.vision, { maxFrames }), memory: false }).frames(media.path, media.kind, signal);
}

/** A `ModelAdapter` (of @video-r1/eval) answering with `policy`. */
export function policyAdapter(options: PolicyAdapterOptions): PolicyAdapter {
  const { policy } = options;
  const { vision } = policy.config;
  const batchSize = options.batchSize ?? 16;
  const temperature = options.temperature ?? 0;
  const rng: Rng = createRng(options.seed ?? 0);
  const baseRequest = options.frameRequest ?? policyFrameRequest(vision);
  // One uncached source per frame budget: a benchmark's videos are read once each.
  const sources = new FrameSources({ memory: false });
  const queue: Pending[] = [];
  let scheduled = false;
  let closed = false;

  const framesOf = (request: AdapterRequest): Promise<FrameStack> | null => {
    const media = request.media;
    if (!media) return null;
    if (options.frames) return options.frames.frames(media.path, media.kind, request.signal);
    if (options.loadFrames) return options.loadFrames(media, request.maxFrames);
    return sources.for(capFrameRequest(baseRequest, request.maxFrames, vision)).frames(media.path, media.kind, request.signal);
  };

  const answer = (inputs: readonly PolicyInput[]): string[] =>
    generate(policy, inputs, {
      maxNewTokens: options.maxNewTokens ?? 64,
      temperature,
      ...(options.topP !== undefined ? { topP: options.topP } : {}),
      rng,
    }).texts;

  const flush = (): void => {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.splice(0, batchSize);
      try {
        const texts = answer(batch.map((p) => p.input));
        batch.forEach((p, i) => p.resolve({ output: texts[i]! }));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  };

  const assertOpen = (): void => {
    if (closed) throw new Error('policyAdapter: generate() after close()');
  };

  return {
    name: options.name ?? 'video-r1-policy',
    groupSize: batchSize,
    async generate(_sample, request) {
      assertOpen();
      request.signal?.throwIfAborted();
      const frames = await framesOf(request);
      return new Promise((resolve, reject) => {
        queue.push({ input: { prompt: request.prompt, frames }, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          // Let the other samples whose media is ready join this batch.
          setImmediate(flush);
        }
      });
    },
    async generateBatch(items) {
      assertOpen();
      const frames = await Promise.allSettled(items.map(({ request }) => framesOf(request)));
      const outcomes: AdapterOutcome[] = frames.map((f) => (f.status === 'rejected' ? { error: f.reason } : { output: '' }));
      const ready: Array<{ i: number; input: PolicyInput }> = [];
      frames.forEach((f, i) => {
        if (f.status === 'fulfilled') ready.push({ i, input: { prompt: items[i]!.request.prompt, frames: f.value } });
      });
      for (let start = 0; start < ready.length; start += batchSize) {
        const chunk = ready.slice(start, start + batchSize);
        const texts = answer(chunk.map((c) => c.input));
        chunk.forEach((c, k) => (outcomes[c.i] = { output: texts[k]! }));
      }
      return outcomes;
    },
    framesFor: async (request) => framesOf(request),
    async close() {
      closed = true;
    },
  };
}
