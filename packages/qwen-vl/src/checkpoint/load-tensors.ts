// Checkpoint → tf tensors, one tensor at a time: each Float32Array read from disk becomes the tensor's
// storage (the cpu backend keeps the array; other backends upload it and drop it), so peak memory is
// the weights plus one tensor in flight.
import { tf } from '../tf.js';
import { type Qwen25VLCheckpoint, readCheckpoint } from './read.js';

export interface LoadedTensors {
  checkpoint: Qwen25VLCheckpoint;
  /** Canonical (hub-layout) name → float32 tensor. */
  tensors: Map<string, tf.Tensor>;
  /** The name a canonical tensor has in the checkpoint's files. */
  storedName(canonical: string): string;
}

export function loadCheckpointTensors(dirOrCheckpoint: string | Qwen25VLCheckpoint): LoadedTensors {
  const checkpoint = typeof dirOrCheckpoint === 'string' ? readCheckpoint(dirOrCheckpoint) : dirOrCheckpoint;
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const [name, handle] of checkpoint.tensors) tensors.set(name, tf.tensor(handle.read(), handle.shape, 'float32'));
  } catch (error) {
    for (const tensor of tensors.values()) tensor.dispose();
    throw error;
  }
  return {
    checkpoint,
    tensors,
    storedName: (canonical) => checkpoint.tensors.get(canonical)?.storedName ?? canonical,
  };
}
