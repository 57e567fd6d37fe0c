// The SFT loss and one optimizer step. transformers' causal-LM loss (4.49–4.51
// `Qwen2_5_VLForConditionalGeneration`): logits[:, :-1] against labels[:, 1:], cross-entropy
// averaged over the labels that are not −100 of the batch. A step over several micro-batches
// averages their losses (the Trainer's gradient accumulation, which divides each micro-batch's
// mean by the number of accumulation steps), so sft_video.py's batch 1 × accumulation 2 is
// `sftStep(model, optimizer, [batchOf(a), batchOf(b)])`.
import { type AdamOptimizer, type OptimizerStepResult, type OptimizerTarget, tokenLogProbs } from '@video-r1/tensor';

import { gradientsByName } from '../logprobs.js';
import type { ForwardOptions, QwenVLModel } from '../model.js';
import { QwenVLModelError } from '../model-error.js';
import { lookupRows } from '../ops.js';
import { tf } from '../tf.js';
import { IGNORE_INDEX, type SftBatch } from './collate.js';

/** Mean cross-entropy per learned token of `batch` (a scalar, differentiable in the trainable variables). */
export function sftLoss(model: QwenVLModel, batch: SftBatch, options: ForwardOptions = {}): tf.Scalar {
  const rows = batch.inputs.inputIds;
  const length = rows[0]?.length ?? 0;
  const sources: number[] = [];
  const targets: number[] = [];
  batch.labels.forEach((labels, n) => {
    if (labels.length !== length) throw new QwenVLModelError('INVALID_INPUT', `sftLoss: labels row ${n} has ${labels.length} entries for ${length} tokens`);
    for (let t = 1; t < length; t++) {
      if (labels[t] === IGNORE_INDEX) continue;
      sources.push(n * length + t - 1);
      targets.push(labels[t]!);
    }
  });
  if (targets.length === 0) throw new QwenVLModelError('INVALID_INPUT', 'sftLoss: every label is -100; the batch has nothing to learn');
  return tf.tidy(() => {
    const { hidden } = model.hiddenStates(batch.inputs, options);
    const [batchSize, , d] = hidden.shape;
    // Only the rows that predict a learned token go through the head: [1, M, V] instead of [B, L, V].
    const picked = lookupRows(tf.reshape(hidden, [batchSize * length, d]) as tf.Tensor2D, sources);
    const logits = model.logitsOf(tf.expandDims(picked, 0)) as tf.Tensor3D;
    return tf.neg(tf.mean(tokenLogProbs(logits, [targets]))) as tf.Scalar;
  });
}

/** The model's trainable variables as an optimizer target (names as the files store them). */
export function optimizerTarget(model: QwenVLModel): OptimizerTarget {
  const named = model.trainableVariables();
  return { names: [...named.keys()], variables: [...named.values()] };
}

export interface SftStepOptions extends ForwardOptions {
  /** This step's learning rate (a schedule's value); default the optimizer's. */
  learningRate?: number;
}

/**
 * One optimizer update from the mean of the micro-batches' losses. Gradients are computed one
 * micro-batch at a time and summed, so memory is that of one micro-batch. `optimizer` must be
 * built on `optimizerTarget(model)` (same names, same order).
 */
export function sftStep(model: QwenVLModel, optimizer: AdamOptimizer, microBatches: readonly SftBatch[], options: SftStepOptions = {}): OptimizerStepResult {
  if (microBatches.length === 0) throw new QwenVLModelError('INVALID_INPUT', 'sftStep: no micro-batches');
  const names = optimizer.names;
  const scale = 1 / microBatches.length;
  let sum: tf.Tensor[] | null = null;
  let loss = 0;
  try {
    for (const batch of microBatches) {
      const { value, grads } = gradientsByName(model, () => sftLoss(model, batch, options));
      loss += value * scale;
      const ordered = names.map((name) => {
        const g = grads.get(name);
        if (g === undefined) throw new QwenVLModelError('INVALID_INPUT', `sftStep: the optimizer updates ${name}, which is not a trainable variable of the model`);
        return g;
      });
      if (grads.size !== names.length) {
        for (const g of grads.values()) g.dispose();
        throw new QwenVLModelError('INVALID_INPUT', `sftStep: the model has ${grads.size} trainable variables, the optimizer ${names.length}; build it on optimizerTarget(model)`);
      }
      if (sum === null) {
        sum = ordered.map((g) => tf.mul(g, scale));
      } else {
        const previous: tf.Tensor[] = sum;
        sum = ordered.map((g, i) => tf.tidy(() => tf.add(previous[i]!, tf.mul(g, scale))));
        for (const t of previous) t.dispose();
      }
      for (const g of grads.values()) g.dispose();
    }
    return optimizer.applyGradients(sum!, { loss, ...(options.learningRate === undefined ? {} : { learningRate: options.learningRate }) });
  } finally {
    for (const t of sum ?? []) t.dispose();
  }
}
