// Saving a model directory the way transformers' save_pretrained does: config.json, and
// model.safetensors or model-0000i-of-0000n.safetensors shards + model.safetensors.index.json when the
// weights exceed the shard size (transformers' default 5 GB). Hub layout by default, which every
// transformers version and vLLM read; a tied head is not written (save_pretrained drops it too).
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { type Qwen25VLConfig, qwen25VLConfigToJson } from './config.js';
import type { StoredDtype } from './dtype.js';
import { CheckpointError, quote } from './errors.js';
import { expectedTensorShapes, type KeyLayout, toStoredName } from './names.js';
import { CONFIG_FILE, SINGLE_WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from './read.js';
import { storedBytes, type TensorSource, writeSafetensorsBeside } from './write.js';

export interface SaveCheckpointOptions {
  /** Key naming in the files (default 'hub', the form save_pretrained writes). */
  layout?: KeyLayout;
  /** Stored dtype (default F32; BF16/F16 round to nearest even). */
  dtype?: StoredDtype;
  /** Largest shard in bytes before splitting (default 5 GB, as transformers). */
  maxShardBytes?: number;
}

export interface SavedCheckpoint {
  /** Safetensors files written, absolute paths. */
  files: string[];
  totalBytes: number;
}

const TORCH_DTYPE: Readonly<Record<StoredDtype, string>> = { F32: 'float32', BF16: 'bfloat16', F16: 'float16' };
const WEIGHT_FILE_PATTERN = /^model(-\d{5}-of-\d{5})?\.safetensors$/;

function shardName(index: number, count: number): string {
  const pad = (n: number): string => String(n).padStart(5, '0');
  return `model-${pad(index + 1)}-of-${pad(count)}.safetensors`;
}

/**
 * Save `tensors` (canonical names → sources; every tensor the config requires, and only those) with
 * `config` into `dir`. Stale weight files from an earlier save into the same directory are removed.
 */
export function saveCheckpoint(
  dir: string,
  config: Qwen25VLConfig,
  tensors: Iterable<[string, TensorSource]>,
  options: SaveCheckpointOptions = {},
): SavedCheckpoint {
  const layout = options.layout ?? 'hub';
  const dtype = options.dtype ?? 'F32';
  const maxShardBytes = options.maxShardBytes ?? 5_000_000_000;
  const root = path.resolve(dir);
  const expected = expectedTensorShapes(config);
  const given = new Map<string, TensorSource>();
  for (const [name, source] of tensors) {
    if (name === 'lm_head.weight' && config.tieWordEmbeddings) continue;
    const shape = expected.get(name);
    if (shape === undefined) {
      throw new CheckpointError(
        'INVALID_ARGUMENT',
        `cannot save tensor ${name} into ${quote(root)}: the config has no such tensor (names are canonical hub-layout names)`,
        { file: root, tensor: name },
      );
    }
    if (shape.length !== source.shape.length || shape.some((d, i) => d !== source.shape[i])) {
      throw new CheckpointError(
        'SHAPE_MISMATCH',
        `cannot save tensor ${name} into ${quote(root)}: shape [${source.shape.join(', ')}], the config implies [${shape.join(', ')}]`,
        { file: root, tensor: name },
      );
    }
    given.set(name, source);
  }
  for (const name of expected.keys()) {
    if (!given.has(name)) {
      throw new CheckpointError('MISSING_TENSOR', `cannot save ${quote(root)}: tensor ${name} is missing`, { file: root, tensor: name });
    }
  }

  const shards: Array<Array<{ name: string; source: TensorSource }>> = [[]];
  let shardBytes = 0;
  let totalBytes = 0;
  for (const [name, shape] of expected) {
    const bytes = storedBytes(shape, dtype);
    if (shardBytes > 0 && shardBytes + bytes > maxShardBytes) {
      shards.push([]);
      shardBytes = 0;
    }
    shards[shards.length - 1]!.push({ name: toStoredName(name, layout), source: given.get(name)! });
    shardBytes += bytes;
    totalBytes += bytes;
  }

  mkdirSync(root, { recursive: true });
  const names = shards.length === 1 ? [SINGLE_WEIGHTS_FILE] : shards.map((_, i) => shardName(i, shards.length));
  const files = names.map((name) => path.join(root, name));
  const temporaries: string[] = [];
  const weightMap: Record<string, string> = {};
  try {
    shards.forEach((entries, i) => {
      temporaries.push(writeSafetensorsBeside(files[i]!, entries, { dtype }));
      for (const { name } of entries) weightMap[name] = names[i]!;
    });
  } catch (error) {
    for (const temporary of temporaries) rmSync(temporary, { force: true });
    throw error;
  }
  // Only now, with every source read, are existing files replaced or removed.
  temporaries.forEach((temporary, i) => renameSync(temporary, files[i]!));
  for (const existing of readdirSync(root)) {
    if ((WEIGHT_FILE_PATTERN.test(existing) && !names.includes(existing)) || (existing === WEIGHTS_INDEX_FILE && shards.length === 1)) {
      rmSync(path.join(root, existing), { force: true });
    }
  }
  if (shards.length > 1) {
    const sorted = Object.fromEntries(Object.entries(weightMap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    writeFileSync(
      path.join(root, WEIGHTS_INDEX_FILE),
      `${JSON.stringify({ metadata: { total_size: totalBytes }, weight_map: sorted }, null, 2)}\n`,
    );
  }
  const json = qwen25VLConfigToJson(config);
  json['torch_dtype'] = TORCH_DTYPE[dtype];
  writeFileSync(path.join(root, CONFIG_FILE), `${JSON.stringify(json, null, 2)}\n`);
  return { files, totalBytes };
}
