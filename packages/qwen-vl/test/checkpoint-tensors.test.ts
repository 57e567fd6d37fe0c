import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { readCheckpoint } from '../src/checkpoint/index.js';
import { loadCheckpointTensors } from '../src/checkpoint/load-tensors.js';
import { tf } from '../src/tf.js';
import { MODELS } from './helpers/checkpoints.js';

describe('loadCheckpointTensors', () => {
  it('gives one float32 tensor per checkpoint tensor, with the stored names of the ≥4.52 layout', () => {
    const before = tf.memory().numTensors;
    const loaded = loadCheckpointTensors(path.join(MODELS, 'tiny-c'));
    const reference = readCheckpoint(path.join(MODELS, 'tiny-c'));
    expect([...loaded.tensors.keys()]).toEqual([...reference.tensors.keys()]);
    expect(tf.memory().numTensors - before).toBe(reference.tensors.size);
    const name = 'model.layers.1.mlp.up_proj.weight';
    const tensor = loaded.tensors.get(name)!;
    expect(tensor.dtype).toBe('float32');
    expect(tensor.shape).toEqual([112, 48]);
    expect(tensor.dataSync()).toEqual(reference.read(name));
    expect(loaded.storedName(name)).toBe('model.language_model.layers.1.mlp.up_proj.weight');
    for (const t of loaded.tensors.values()) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
