// Checkpoints of a Qwen2.5-VL run. Each is a directory under `<run>/checkpoints/`:
//   state.json      the training state (where to resume) and what the directory holds
//   model/          a full Hugging Face checkpoint with tokenizer files (SFT, full fine-tuning)
//   adapter/        a PEFT LoRA adapter over `<run>/checkpoints/sft/model` (RL with LoRA)
//   optimizer.json + optimizer.bin   AdamW's step, options, names and moments (float32 m then v)
// Written into a temporary sibling and renamed, so a crash leaves the previous checkpoint whole.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { type CheckpointMarker, findCheckpointDirs } from '@video-r1/cli-kit';
import { QwenTokenizer, QwenVLModel, QwenVLPolicy, type QwenVLPolicyOptions } from '@video-r1/qwen-vl';
import { type AdamOptimizer, type AdamState, packAdamMoments, unpackAdamMoments } from '@video-r1/tensor';

import type { RunPaths } from '../run/run-dir.js';

const CHECKPOINT_FORMAT = 'video-r1-trainer-qwen/1';

export type QwenTrainingState =
  | { stage: 'sft'; step: number; epoch: number; batch: number; elapsedMs: number }
  | { stage: 'sft-done'; sftSteps: number; elapsedMs: number }
  | { stage: 'rl'; step: number; cursor: number; skippedSamples: number; elapsedMs: number }
  | { stage: 'done'; rlSteps: number; elapsedMs: number };

export interface QwenCheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  /** When the checkpoint was written (ISO time): what orders them. */
  createdAt: string;
  trainingState: QwenTrainingState;
  /** `model`: model/ holds every weight; `adapter`: adapter/ over the SFT model. */
  weights: 'model' | 'adapter';
}

const STEP_PATTERN = /^(sft|rl)-(\d+)$/;

/** Whether a directory name is one this class writes (not a staging or moved-aside copy). */
function isCheckpointName(name: string): boolean {
  return name === 'final' || name === 'sft' || STEP_PATTERN.test(name);
}

/** cli-kit's probe for these checkpoints: a complete one has its `state.json` of this format. */
function qwenCheckpointMarker(dir: string): CheckpointMarker | null {
  if (!isCheckpointName(path.basename(dir))) return null;
  const file = path.join(dir, 'state.json');
  const state = JSON.parse(readFileSync(file, 'utf8')) as Partial<QwenCheckpointState>;
  if (state.format !== CHECKPOINT_FORMAT) return null;
  return { file, createdAt: typeof state.createdAt === 'string' ? state.createdAt : '' };
}

export class QwenCheckpoints {
  constructor(
    private readonly paths: RunPaths,
    private readonly keep: number,
    /**
     * Where loaded policies take their tokenizer files from (the base model's directory): a policy
     * loaded from a step checkpoint must not point at files that pruning deletes. Default: the
     * checkpoint's own model directory, else the SFT model's.
     */
    private readonly tokenizerDir: string | null = null,
  ) {}

  dir(name: string): string {
    return path.join(this.paths.checkpoints, name);
  }

  /** The SFT model every RL adapter applies to. */
  get sftModelDir(): string {
    return path.join(this.dir('sft'), 'model');
  }

  /** Checkpoint names, newest first, by the project's one rule (cli-kit's `findCheckpointDirs`). */
  list(): string[] {
    return findCheckpointDirs(this.paths.checkpoints, qwenCheckpointMarker).map((c) => c.name);
  }

  async save(name: string, policy: QwenVLPolicy, optimizer: AdamOptimizer | null, trainingState: QwenTrainingState): Promise<void> {
    const target = this.dir(name);
    const staging = `${target}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const adapterOnly = policy.model.lora !== null && name !== 'sft';
    if (adapterOnly) policy.model.saveAdapter(path.join(staging, 'adapter'), { layout: policy.model.layout });
    else await policy.save(path.join(staging, 'model'));
    if (optimizer !== null) writeOptimizer(staging, optimizer.getState());
    const state: QwenCheckpointState = { format: CHECKPOINT_FORMAT, createdAt: new Date().toISOString(), trainingState, weights: adapterOnly ? 'adapter' : 'model' };
    writeFileSync(path.join(staging, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
    const old = `${target}.old-${process.pid}`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(staging, target);
    rmSync(old, { recursive: true, force: true });
    this.prune();
  }

  private prune(): void {
    const steps = this.list().filter((n) => STEP_PATTERN.test(n));
    for (const old of steps.slice(this.keep)) rmSync(this.dir(old), { recursive: true, force: true });
  }

  latest(): { name: string; state: QwenCheckpointState } | null {
    const name = this.list()[0];
    if (name === undefined) return null;
    return { name, state: JSON.parse(readFileSync(path.join(this.dir(name), 'state.json'), 'utf8')) as QwenCheckpointState };
  }

  /**
   * The policy a checkpoint holds: its full model, or the SFT model with its adapter attached.
   * `trainable: false` gives a frozen copy.
   */
  loadPolicy(name: string, options: { trainable?: boolean; name?: string } = {}): QwenVLPolicy {
    const dir = this.dir(name);
    const state = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as QwenCheckpointState;
    const policyOptions: QwenVLPolicyOptions = { ...(options.trainable === undefined ? {} : { trainable: options.trainable }), ...(options.name === undefined ? {} : { name: options.name }) };
    const modelDir = state.weights === 'model' ? path.join(dir, 'model') : this.sftModelDir;
    const model = QwenVLModel.load(modelDir, { trainable: options.trainable ?? true });
    try {
      if (state.weights === 'adapter') model.loadAdapter(path.join(dir, 'adapter'));
      return new QwenVLPolicy(model, QwenTokenizer.load(this.tokenizerDir ?? modelDir), policyOptions);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  readOptimizer(name: string): AdamState | null {
    return readOptimizer(this.dir(name));
  }
}

function writeOptimizer(dir: string, state: AdamState): void {
  const moments = packAdamMoments(state);
  writeFileSync(path.join(dir, 'optimizer.bin'), new Uint8Array(moments.buffer, moments.byteOffset, moments.byteLength));
  const sizes = state.m.map((m) => m.length);
  writeFileSync(path.join(dir, 'optimizer.json'), `${JSON.stringify({ step: state.step, options: state.options, names: state.names, sizes }, null, 2)}\n`);
}

function readOptimizer(dir: string): AdamState | null {
  const meta = path.join(dir, 'optimizer.json');
  if (!existsSync(meta)) return null;
  const { step, options, names, sizes } = JSON.parse(readFileSync(meta, 'utf8')) as Omit<AdamState, 'm' | 'v'> & { sizes: number[] };
  const bytes = readFileSync(path.join(dir, 'optimizer.bin'));
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength - (bytes.byteLength % 4)));
  const moments = bytes.byteLength % 4 === 0 ? unpackAdamMoments(floats, sizes) : null;
  if (moments === null) {
    throw new Error(`${path.join(dir, 'optimizer.bin')}: ${bytes.byteLength} bytes, expected ${8 * sizes.reduce((a, b) => a + b, 0)} for the moments of ${names.length} variables`);
  }
  return { step, options, names, ...moments };
}
