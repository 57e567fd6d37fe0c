// A QwenVLPolicy whose rollouts are sampled on an OpenAI-compatible server (vLLM serving the
// base checkpoint with --enable-lora), everything else local: encoding, the log-probabilities the
// gradient needs, the trainable variables, saving. Before every `sample`, the current LoRA
// adapter is written as a PEFT directory and, when its bytes changed since the last load, loaded
// under a new name with `POST /v1/load_lora_adapter`; the completions are then requested from that
// name, so no rollout is generated with an adapter older than the local weights. This is Video-R1's
// vLLM path (the weights pushed to the rollout engine every step) over the server's public API.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import type { LogProbOptions, ModelPrompt, SampledCompletions, SampleOptions, TokenFacts, VisionLanguageModel } from '@video-r1/model-api';
import type { FrameRequest } from '@video-r1/video-io';

import type { QwenVLInput, QwenVLPolicy } from '../policy.js';
import type { tf } from '../tf.js';
import { type ContentOptions, promptContent } from './media.js';
import {
  type ChatCompletionRequest,
  chatCompletion,
  loadLoraAdapter,
  RolloutServerError,
  type ServerClientOptions,
  unloadLoraAdapter,
} from './server-client.js';

/** The remote policy's encoding: the prompt (sent to the server) and the local encoding (for log-probs). */
export interface ServerRolloutInput {
  readonly prompt: ModelPrompt;
  readonly local: QwenVLInput;
}

export interface ServerRolloutOptions extends ServerClientOptions, ContentOptions {
  /** The server's base URL, with or without `/v1` (e.g. `http://127.0.0.1:8000/v1`). */
  baseUrl: string;
  /** The name the server serves the base model under (`vllm serve <dir> --served-model-name <name>`). */
  baseModel: string;
  /** Where adapters are written (one directory per load; the previous one is removed after the next load). */
  adapterDir: string;
  /** `adapterDir` as the server sees it, when it runs in another filesystem namespace (default: the same path). */
  serverAdapterDir?: string;
  /** Adapter names are `<prefix>-<n>` (default `video-r1-<random tag>`, unique across restarts). */
  adapterPrefix?: string;
  /** Requests in flight at once (one per prompt; default 8). */
  concurrency?: number;
}

/** What a sample call was served with, for logs and tests. */
export interface AdapterLoad {
  name: string;
  /** sha256 of adapter_model.safetensors. */
  digest: string;
  dir: string;
}

export class ServerRolloutPolicy implements VisionLanguageModel<ServerRolloutInput> {
  readonly name: string;
  readonly mediaRequest: FrameRequest;
  readonly tokens: TokenFacts;
  readonly trainable: boolean;
  /** Every adapter loaded so far, in order. */
  readonly loads: AdapterLoad[] = [];
  private readonly prefix: string;
  private current: AdapterLoad | null = null;

  constructor(
    readonly local: QwenVLPolicy,
    readonly options: ServerRolloutOptions,
    /** false: sample from the base model (the KL reference), never load adapters. */
    private readonly useAdapter = true,
  ) {
    this.name = local.name;
    this.mediaRequest = local.mediaRequest;
    this.tokens = local.tokens;
    this.trainable = local.trainable;
    this.prefix = options.adapterPrefix ?? `video-r1-${randomBytes(4).toString('hex')}`;
  }

  /** The frozen reference (adapter off locally, the base model on the server), sharing the weights. */
  reference(): ServerRolloutPolicy {
    return new ServerRolloutPolicy(this.local.reference(), this.options, false);
  }

  encode(prompt: ModelPrompt): ServerRolloutInput {
    return { prompt, local: this.local.encode(prompt) };
  }

  /** The model name the next request goes to, after writing and (when it changed) loading the adapter. */
  async syncAdapter(): Promise<string> {
    if (!this.useAdapter) return this.options.baseModel;
    const lora = this.local.model.lora;
    if (lora === null) {
      if (this.local.trainable) {
        throw new RolloutServerError(
          'NO_ADAPTER',
          'server rollouts push a LoRA adapter to the server after every update; full fine-tuning has none (attach an adapter, or use rollout "local")',
        );
      }
      return this.options.baseModel;
    }
    const n = this.loads.length + 1;
    const name = `${this.prefix}-${n}`;
    const dir = path.join(this.options.adapterDir, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(this.options.adapterDir, { recursive: true });
    const { weightsFile } = this.local.model.saveAdapter(dir, { layout: this.local.model.layout });
    const digest = createHash('sha256').update(readFileSync(weightsFile)).digest('hex');
    if (this.current !== null && this.current.digest === digest) {
      rmSync(dir, { recursive: true, force: true });
      return this.current.name;
    }
    const serverDir = this.options.serverAdapterDir === undefined ? dir : path.posix.join(this.options.serverAdapterDir, name);
    await loadLoraAdapter(this.options.baseUrl, name, serverDir, this.options);
    const previous = this.current;
    this.current = { name, digest, dir };
    this.loads.push(this.current);
    if (previous !== null) {
      // The server keeps every loaded adapter until told otherwise; only the newest is used.
      await unloadLoraAdapter(this.options.baseUrl, previous.name, this.options);
      if (existsSync(previous.dir)) rmSync(previous.dir, { recursive: true, force: true });
    }
    return name;
  }

  async sample(inputs: readonly ServerRolloutInput[], options: SampleOptions): Promise<SampledCompletions> {
    const model = await this.syncAdapter();
    const seeds = inputs.map(() => (options.rng === undefined ? undefined : Math.floor(options.rng() * 2 ** 31)));
    const stopIds = [this.tokens.eosId];
    const requests: ChatCompletionRequest[] = inputs.map((input, i) => ({
      model,
      messages: [{ role: 'user', content: promptContent(input.prompt, this.options) }],
      n: options.numSamples,
      temperature: options.temperature,
      top_p: options.topP,
      top_k: options.topK !== undefined && options.topK > 0 ? options.topK : -1,
      max_tokens: options.maxNewTokens,
      ...(seeds[i] === undefined ? {} : { seed: seeds[i] }),
      logprobs: true,
      return_tokens_as_token_ids: true,
      return_token_ids: true,
      skip_special_tokens: true,
      stop_token_ids: stopIds,
      logit_bias: Object.fromEntries(this.local.bannedIds.map((id) => [String(id), -100])),
      ...(input.prompt.frames !== null && input.prompt.sampleFps !== undefined && input.prompt.sampleFps !== null
        ? { mm_processor_kwargs: { fps: input.prompt.sampleFps } }
        : {}),
    }));
    const results = await inBatches(requests, this.options.concurrency ?? 8, (request) => chatCompletion(this.options.baseUrl, request, this.options));
    const ids: number[][] = [];
    const finished: boolean[] = [];
    for (const choices of results) {
      for (const choice of choices) {
        let row = choice.tokenIds.slice(0, options.maxNewTokens);
        const banned = row.find((id) => this.local.bannedIds.includes(id));
        if (banned !== undefined) {
          throw new RolloutServerError('PAD_SAMPLED', `the server sampled token ${banned} (PAD or a visual placeholder); it must honour logit_bias`, this.options.baseUrl);
        }
        const stopped = choice.finishReason === 'stop';
        // A server that strips the stop token still stopped on it: the completion ends with EOS.
        if (stopped && row[row.length - 1] !== this.tokens.eosId && row.length < options.maxNewTokens) row = [...row, this.tokens.eosId];
        ids.push(row);
        finished.push(row[row.length - 1] === this.tokens.eosId);
      }
    }
    return {
      ids,
      texts: ids.map((row) => this.local.tokenizer.decode(row, { skipSpecialTokens: true })),
      lengths: ids.map((row) => row.length),
      finished,
    };
  }

  completionLogProbs(inputs: readonly ServerRolloutInput[], completions: readonly (readonly number[])[], options?: LogProbOptions): tf.Tensor2D {
    return this.local.completionLogProbs(
      inputs.map((x) => x.local),
      completions,
      options,
    );
  }

  trainableVariables(): tf.Variable[] {
    return this.local.trainableVariables();
  }

  save(dir: string): Promise<void> {
    return this.local.save(dir);
  }

  dispose(): void {
    this.local.dispose();
  }
}

/** `fn` over `items` with at most `limit` in flight, results in input order. */
async function inBatches<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
