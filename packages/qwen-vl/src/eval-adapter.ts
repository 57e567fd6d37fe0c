// An evaluation adapter for @video-r1/eval (its `ModelAdapter`, satisfied structurally, as
// @video-r1/policy's `policyAdapter` does) answering with any model of the model interface — a
// QwenVLPolicy in practice: each sample's media read through a frame provider (a video-io
// FrameSource with Video-R1's evaluation request), the prompt encoded with the model's chat
// template, near-greedy or greedy decoding in batches of consecutive samples.
import type { SampleOptions, VisionLanguageModel } from '@video-r1/model-api';
import { createRng } from '@video-r1/tensor';
import type { FrameStack } from '@video-r1/video-io';

/** What @video-r1/eval's runner passes with each sample. */
export interface EvalAdapterRequest {
  prompt: string;
  media: { kind: 'video' | 'image'; path: string } | null;
  maxFrames: number;
  maxPixels?: number;
  signal?: AbortSignal;
}

export interface EvalFrameProvider {
  /** `request` carries the run's frame and pixel budget (evaluations at 16/32/64 frames read differently). */
  frames(file: string, kind: 'video' | 'image', signal?: AbortSignal, request?: EvalAdapterRequest): Promise<FrameStack & { sampleFps?: number | null }>;
}

export interface ModelEvalAdapterOptions<Input> {
  model: VisionLanguageModel<Input>;
  frames: EvalFrameProvider;
  /** Written into the results (default the model's name). */
  name?: string;
  /** Default 1024 (Video-R1's eval_bench.py). */
  maxNewTokens?: number;
  /** 0 decodes greedily; Video-R1 evaluates at 0.01 / top-p 0.001 (near-greedy, seeded here). */
  temperature?: number;
  topP?: number;
  seed?: number;
  /** Samples decoded together (default 8). */
  batchSize?: number;
}

export type EvalAdapterOutcome = { output: string } | { error: unknown };

export interface ModelEvalAdapter {
  name: string;
  groupSize: number;
  generate(sample: unknown, request: EvalAdapterRequest): Promise<{ output: string }>;
  generateBatch(items: ReadonlyArray<{ sample: unknown; request: EvalAdapterRequest }>): Promise<EvalAdapterOutcome[]>;
  close(): Promise<void>;
}

export function modelEvalAdapter<Input>(options: ModelEvalAdapterOptions<Input>): ModelEvalAdapter {
  const { model } = options;
  const batchSize = options.batchSize ?? 8;
  const rng = createRng(options.seed ?? 0);
  const temperature = options.temperature ?? 0;
  const sampling = (): SampleOptions => ({
    numSamples: 1,
    maxNewTokens: options.maxNewTokens ?? 1024,
    temperature,
    topP: options.topP ?? 1,
    ...(temperature > 0 ? { rng } : {}),
  });
  const encode = async (request: EvalAdapterRequest): Promise<Input> => {
    const media = request.media;
    if (media === null) return model.encode({ text: request.prompt, frames: null });
    const frames = await options.frames.frames(media.path, media.kind, request.signal, request);
    return model.encode({ text: request.prompt, frames, mediaKind: media.kind, sampleFps: frames.sampleFps ?? null });
  };
  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('modelEvalAdapter: generate() after close()');
  };
  return {
    name: options.name ?? model.name,
    groupSize: batchSize,
    async generate(_sample, request) {
      assertOpen();
      const out = await model.sample([await encode(request)], sampling());
      return { output: out.texts[0]! };
    },
    async generateBatch(items) {
      assertOpen();
      const encoded = await Promise.allSettled(items.map(({ request }) => encode(request)));
      const outcomes: EvalAdapterOutcome[] = encoded.map((e) => (e.status === 'rejected' ? { error: e.reason as unknown } : { output: '' }));
      const ready = encoded.flatMap((e, i) => (e.status === 'fulfilled' ? [{ i, input: e.value }] : []));
      for (let start = 0; start < ready.length; start += batchSize) {
        const chunk = ready.slice(start, start + batchSize);
        const out = await model.sample(
          chunk.map((c) => c.input),
          sampling(),
        );
        chunk.forEach((c, k) => (outcomes[c.i] = { output: out.texts[k]! }));
      }
      return outcomes;
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
