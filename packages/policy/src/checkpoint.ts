// Checkpoints: a directory with the model config, tokenizer, weights, optimizer state and
// the trainer's resume state, plus manifest.json with every file's size and sha256.
//
// Writing is atomic: everything goes to a sibling temporary directory, is fsynced, and the
// directory is renamed into place (an existing checkpoint is moved aside first and removed
// after), so a crash leaves either the old checkpoint, the new one, or a temporary
// directory that `loadCheckpoint` never reads. Loading verifies sizes and hashes before
// parsing anything and names the damaged file.
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import { packAdamMoments, unpackAdamMoments } from '@video-r1/tensor';
import type { FrameRequest } from '@video-r1/video-io';

import { AdamOptimizer, type AdamState, type ResolvedAdamOptions } from './adam.js';
import { type PolicyConfig, resolvePolicyConfig } from './config.js';
import { Policy, parameterSpecs } from './model.js';
import { Tokenizer } from './tokenizer.js';

export const CHECKPOINT_FORMAT = 'video-r1-policy-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** JSON-serialisable values (the trainer's resume state). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface CheckpointContents {
  policy: Policy;
  /** An optimizer (its state is read) or a state object. */
  optimizer?: AdamOptimizer | AdamState;
  /** Whatever the trainer needs to resume: step, stage, data cursor, seeds, … */
  trainingState?: JsonValue;
  /**
   * The frames the policy was trained on (`frames.json`): an evaluator reads media with this
   * request, so it feeds the checkpoint the pixels its training and test evaluation saw.
   */
  frames?: FrameRequest;
}

export interface ManifestFile {
  bytes: number;
  sha256: string;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  createdAt: string;
  parameterCount: number;
  /** Weights layout in weights.bin: float32 little-endian, in this order. */
  parameters: Array<{ name: string; shape: number[] }>;
  files: Record<string, ManifestFile>;
}

export interface LoadedCheckpoint {
  policy: Policy;
  optimizerState?: AdamState;
  trainingState?: JsonValue;
  /** The request saved with the checkpoint, when it has one. */
  frames?: FrameRequest;
  manifest: CheckpointManifest;
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  constructor(
    message: string,
    /** The checkpoint directory. */
    readonly dir: string,
    /** The file at fault, when one is. */
    readonly file?: string,
  ) {
    super(message);
  }
}

const FILES = {
  config: 'config.json',
  tokenizer: 'tokenizer.json',
  weights: 'weights.bin',
  optimizer: 'optimizer.json',
  optimizerMoments: 'optimizer.bin',
  trainingState: 'training-state.json',
  frames: 'frames.json',
  manifest: 'manifest.json',
} as const;

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('checkpoints are stored little-endian; this machine is big-endian');
}

function concatFloat32(arrays: readonly Float32Array[]): Buffer {
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

function float32Bytes(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

function bytesAsFloat32(buffer: Buffer): Float32Array {
  // Copy into an aligned buffer: a Buffer's byteOffset need not be a multiple of 4.
  const all = new Float32Array(Math.floor(buffer.byteLength / 4));
  new Uint8Array(all.buffer).set(buffer.subarray(0, all.byteLength));
  return all;
}

function splitFloat32(buffer: Buffer, sizes: readonly number[]): Float32Array[] {
  const all = bytesAsFloat32(buffer);
  const out: Float32Array[] = [];
  let offset = 0;
  for (const size of sizes) {
    out.push(all.slice(offset, offset + size));
    offset += size;
  }
  return out;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function writeSynced(file: string, data: Buffer | string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, fsConstants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes a checkpoint to `dir` atomically (replacing an existing one). Returns the manifest.
 */
export async function saveCheckpoint(dir: string, contents: CheckpointContents): Promise<CheckpointManifest> {
  assertLittleEndian();
  const target = path.resolve(dir);
  const { policy } = contents;
  const specs = parameterSpecs(policy.config);
  const files = new Map<string, Buffer>();
  files.set(FILES.config, Buffer.from(JSON.stringify(policy.config, null, 2) + '\n'));
  files.set(FILES.tokenizer, Buffer.from(JSON.stringify(policy.tokenizer.toJSON()) + '\n'));
  files.set(FILES.weights, concatFloat32(policy.readWeights()));
  const optimizerState = contents.optimizer instanceof AdamOptimizer ? contents.optimizer.getState() : contents.optimizer;
  if (optimizerState !== undefined) {
    const { step, options, names } = optimizerState;
    files.set(FILES.optimizer, Buffer.from(JSON.stringify({ step, options, names }, null, 2) + '\n'));
    files.set(FILES.optimizerMoments, float32Bytes(packAdamMoments(optimizerState)));
  }
  if (contents.trainingState !== undefined) {
    files.set(FILES.trainingState, Buffer.from(JSON.stringify(contents.trainingState, null, 2) + '\n'));
  }
  if (contents.frames !== undefined) files.set(FILES.frames, Buffer.from(JSON.stringify(contents.frames, null, 2) + '\n'));
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    parameterCount: policy.parameterCount,
    parameters: specs.map((s) => ({ name: s.name, shape: s.shape })),
    files: Object.fromEntries([...files].map(([name, data]) => [name, { bytes: data.byteLength, sha256: sha256(data) }])),
  };

  await mkdir(path.dirname(target), { recursive: true });
  // Hidden siblings (same file system, so the renames are atomic), never mistaken for checkpoints by a directory listing.
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const hidden = (kind: string): string => path.join(path.dirname(target), `.${path.basename(target)}.${kind}-${suffix}`);
  const temp = hidden('tmp');
  await mkdir(temp);
  try {
    for (const [name, data] of files) await writeSynced(path.join(temp, name), data);
    // The manifest goes last: a directory without one was never completed.
    await writeSynced(path.join(temp, FILES.manifest), JSON.stringify(manifest, null, 2) + '\n');
    await syncDir(temp);
    if (await exists(target)) {
      const old = hidden('old');
      await rename(target, old);
      await rename(temp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, target);
    }
    await syncDir(path.dirname(target));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return manifest;
}

async function readVerified(dir: string, manifest: CheckpointManifest, name: string): Promise<Buffer> {
  const entry = manifest.files[name];
  if (entry === undefined) throw new CheckpointError(`checkpoint ${dir}: manifest.json does not list ${name}`, dir, name);
  let data: Buffer;
  try {
    data = await readFile(path.join(dir, name));
  } catch {
    throw new CheckpointError(`checkpoint ${dir}: ${name} is missing (listed in manifest.json)`, dir, name);
  }
  if (data.byteLength !== entry.bytes) {
    throw new CheckpointError(
      `checkpoint ${dir}: ${name} is damaged: ${data.byteLength} bytes on disk, ${entry.bytes} in manifest.json ` +
        `(truncated or overwritten); restore it or use another checkpoint`,
      dir,
      name,
    );
  }
  if (sha256(data) !== entry.sha256) {
    throw new CheckpointError(
      `checkpoint ${dir}: ${name} is damaged: its sha256 does not match manifest.json; restore it or use another checkpoint`,
      dir,
      name,
    );
  }
  return data;
}

function parseJson(dir: string, name: string, data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (error) {
    throw new CheckpointError(`checkpoint ${dir}: ${name} is not valid JSON (${(error as Error).message})`, dir, name);
  }
}

/**
 * Reads and verifies a checkpoint. Weights are created on the current tfjs backend, so a
 * checkpoint written on one backend loads on any other. `trainable: false` gives a frozen
 * policy (e.g. the KL reference).
 */
export async function loadCheckpoint(dir: string, options: { trainable?: boolean } = {}): Promise<LoadedCheckpoint> {
  assertLittleEndian();
  const root = path.resolve(dir);
  let manifestData: Buffer;
  try {
    manifestData = await readFile(path.join(root, FILES.manifest));
  } catch {
    const why = (await exists(root)) ? 'manifest.json is missing (an interrupted save never gets one)' : 'the directory does not exist';
    throw new CheckpointError(`checkpoint ${root}: ${why}`, root, FILES.manifest);
  }
  const manifest = parseJson(root, FILES.manifest, manifestData) as CheckpointManifest;
  if (manifest?.format !== CHECKPOINT_FORMAT || typeof manifest.files !== 'object' || manifest.files === null) {
    throw new CheckpointError(`checkpoint ${root}: manifest.json is not a ${CHECKPOINT_FORMAT} manifest`, root, FILES.manifest);
  }
  if (manifest.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      `checkpoint ${root}: format version ${manifest.version} is not supported (this package reads version ${CHECKPOINT_VERSION})`,
      root,
      FILES.manifest,
    );
  }
  // Verify every listed file before using any of them.
  const data = new Map<string, Buffer>();
  for (const name of Object.keys(manifest.files)) data.set(name, await readVerified(root, manifest, name));
  for (const required of [FILES.config, FILES.tokenizer, FILES.weights]) {
    if (!data.has(required)) throw new CheckpointError(`checkpoint ${root}: ${required} is not in manifest.json`, root, required);
  }

  const tokenizer = (() => {
    try {
      return Tokenizer.fromJSON(parseJson(root, FILES.tokenizer, data.get(FILES.tokenizer)!));
    } catch (error) {
      if (error instanceof CheckpointError) throw error;
      throw new CheckpointError(`checkpoint ${root}: tokenizer.json: ${(error as Error).message}`, root, FILES.tokenizer);
    }
  })();
  let config: PolicyConfig;
  try {
    const raw = parseJson(root, FILES.config, data.get(FILES.config)!) as PolicyConfig;
    config = resolvePolicyConfig(raw, tokenizer.vocabSize);
    if (raw.vocabSize !== tokenizer.vocabSize) {
      throw new Error(`vocabSize ${raw.vocabSize} does not match the tokenizer's ${tokenizer.vocabSize}`);
    }
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(`checkpoint ${root}: config.json: ${(error as Error).message}`, root, FILES.config);
  }
  const specs = parameterSpecs(config);
  const sizes = specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
  const weights = data.get(FILES.weights)!;
  const expectedBytes = sizes.reduce((a, b) => a + b, 0) * 4;
  if (weights.byteLength !== expectedBytes) {
    throw new CheckpointError(
      `checkpoint ${root}: weights.bin holds ${weights.byteLength} bytes but config.json describes ${expectedBytes}`,
      root,
      FILES.weights,
    );
  }
  const policy = new Policy(config, tokenizer, splitFloat32(weights, sizes), options.trainable ?? true);

  let optimizerState: AdamState | undefined;
  if (data.has(FILES.optimizer)) {
    const meta = parseJson(root, FILES.optimizer, data.get(FILES.optimizer)!) as {
      step: number;
      options: ResolvedAdamOptions;
      names: string[];
    };
    const bytes = data.get(FILES.optimizerMoments);
    const moments = bytes === undefined || bytes.byteLength % 4 !== 0 || meta.names?.length !== specs.length ? null : unpackAdamMoments(bytesAsFloat32(bytes), sizes);
    if (moments === null) {
      policy.dispose();
      throw new CheckpointError(
        `checkpoint ${root}: optimizer state does not match the model's parameters`,
        root,
        FILES.optimizerMoments,
      );
    }
    optimizerState = { step: meta.step, options: meta.options, names: meta.names, ...moments };
  }
  const trainingState = data.has(FILES.trainingState)
    ? (parseJson(root, FILES.trainingState, data.get(FILES.trainingState)!) as JsonValue)
    : undefined;
  const frames = data.has(FILES.frames) ? (parseJson(root, FILES.frames, data.get(FILES.frames)!) as FrameRequest) : undefined;
  return {
    policy,
    manifest,
    ...(optimizerState ? { optimizerState } : {}),
    ...(trainingState !== undefined ? { trainingState } : {}),
    ...(frames !== undefined ? { frames } : {}),
  };
}
