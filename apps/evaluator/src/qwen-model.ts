/**
 * A Qwen2.5-VL checkpoint directory as the model under evaluation (`--model <dir>`, optionally
 * `--adapter <PEFT dir>`): loaded in-process by @video-r1/qwen-vl, prompts through its chat
 * template, frames read with Video-R1's evaluation request (256·28·28 pixels, the run's 16/32/64
 * frame budget), near-greedy decoding with the run's settings. The same results files, resume and
 * report as an endpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { evalFrameRequest } from '@video-r1/eval';
import { QwenVLPolicy, modelEvalAdapter, type EvalAdapterRequest } from '@video-r1/qwen-vl';
import { selectBackend } from '@video-r1/tensor';
import { FrameSources } from '@video-r1/video-io';
import type { FrameRequest } from '@video-r1/video-io';
import type { EvaluatorConfig } from './config.js';
import type { ResolvedModel } from './resolved-model.js';
import { userPath } from './paths.js';

/** Whether `dir` holds a Hugging Face Qwen2.5-VL checkpoint (its config.json names the architecture). */
export function isQwenCheckpoint(dir: string): boolean {
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) return false;
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as { architectures?: unknown; model_type?: unknown };
    return (Array.isArray(config.architectures) && config.architectures.includes('Qwen2_5_VLForConditionalGeneration')) || config.model_type === 'qwen2_5_vl';
  } catch {
    return false;
  }
}

export interface QwenModelOptions {
  /** How a frame/pixel budget reads media (default `evalFrameRequest`; CoT annotation reads with `cotFrameRequest`). */
  frameRequest?: (budget: { maxFrames: number; maxPixels: number }) => FrameRequest;
}

export async function qwenModel(config: EvaluatorConfig, log: (line: string) => void, options: QwenModelOptions = {}): Promise<ResolvedModel> {
  const frameRequest = options.frameRequest ?? evalFrameRequest;
  const backend = await selectBackend(config.backend, { log, argumentLabel: '--backend' });
  const dir = userPath(config.model!);
  const policy = QwenVLPolicy.load(dir, { trainable: false });
  let adapterDir: string | null = null;
  if (config.adapter !== undefined) {
    adapterDir = userPath(config.adapter);
    if (!existsSync(path.join(adapterDir, 'adapter_config.json'))) throw new Error(`--adapter ${config.adapter}: ${adapterDir} holds no adapter_config.json (a PEFT LoRA directory)`);
    policy.model.loadAdapter(adapterDir);
  }
  // One uncached source per frame/pixel budget: each benchmark's media are read once.
  const sources = new FrameSources({ memory: false });
  const frames = {
    frames: (file: string, kind: 'video' | 'image', signal?: AbortSignal, request?: EvalAdapterRequest) =>
      sources.for(frameRequest({ maxFrames: request?.maxFrames ?? 16, maxPixels: request?.maxPixels ?? config.maxPixels })).frames(file, kind, signal),
  };
  const name = `qwen2.5-vl:${path.basename(dir)}${adapterDir ? `+${path.basename(adapterDir)}` : ''}`;
  const adapter = modelEvalAdapter({
    model: policy,
    frames,
    name,
    maxNewTokens: config.decoding.max_tokens,
    temperature: config.decoding.temperature,
    topP: config.decoding.top_p,
    seed: config.seed,
    batchSize: Math.max(1, config.batchSize ?? config.concurrency),
  });
  return {
    adapter,
    description: `Qwen2.5-VL ${dir}${adapterDir ? ` + adapter ${adapterDir}` : ''} (${backend.name} backend; up to ${config.decoding.max_tokens} new tokens, temperature ${config.decoding.temperature}, top_p ${config.decoding.top_p})`,
    settings: { checkpoint: dir, adapter: adapterDir, backend: backend.name, decoding: config.decoding, seed: config.seed },
  };
}
