/**
 * The project's own policy as the model under evaluation: a checkpoint given with --model, else
 * the newest checkpoint of the trainer's latest run, else an untrained policy (the baseline every
 * trained checkpoint should beat). Runs on the TensorFlow.js backend `selectBackend` picks.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildPrompt, ensureSyntheticSet, readDataset } from '@video-r1/datasets';
import type { VideoR1Record } from '@video-r1/datasets';
import { CHECKPOINT_FORMAT, Tokenizer, createPolicy, loadCheckpoint, newestCheckpoint, policyAdapter } from '@video-r1/policy';
import type { FrameRequest } from '@video-r1/video-io';
import type { Policy } from '@video-r1/policy';
import { selectBackend } from '@video-r1/tensor';
import type { EvaluatorConfig } from './config.js';
import type { ResolvedModel } from './resolved-model.js';
import { TRAINER_RUNS_DIR, userPath } from './paths.js';

/**
 * The tokenizer of an untrained baseline: fitted on the synthetic training set's prompts and
 * targets, as a trained checkpoint's would have been.
 */
async function baselineTokenizer(): Promise<Tokenizer> {
  const set = await ensureSyntheticSet({ log: false });
  const { records } = await readDataset(set.train, { log: false });
  const corpus: string[] = [];
  for (const r of records) {
    corpus.push(buildPrompt(r, { template: 'train' }), buildPrompt(r, { template: 'eval' }), typeof r.process === 'string' ? `${r.process}\n${r.solution}` : r.solution);
  }
  return Tokenizer.fit(corpus);
}

/** Most new tokens that fit every prompt into the policy's text context. */
function tokenBudget(policy: Policy, samples: readonly VideoR1Record[], wanted: number): number {
  let longest = 0;
  let longestId = '';
  for (const s of samples) {
    const n = policy.tokenizer.encode(buildPrompt(s, { template: 'eval' })).length;
    if (n > longest) {
      longest = n;
      longestId = String(s.problem_id ?? '?');
    }
  }
  const room = policy.config.maxTextLength - longest;
  if (room < 1) {
    throw new Error(`the policy reads at most ${policy.config.maxTextLength} text tokens, but the prompt of sample ${longestId} has ${longest}; evaluate it on shorter prompts (e.g. the synthetic set)`);
  }
  return Math.min(wanted, room);
}

export async function policyModel(config: EvaluatorConfig, log: (line: string) => void, samples: readonly VideoR1Record[]): Promise<ResolvedModel> {
  const backend = await selectBackend(config.backend, { log, argumentLabel: '--backend' });
  let policy: Policy;
  let label: string;
  let source: string;
  // The frames a trained checkpoint saw (recorded by the trainer); older checkpoints and the
  // untrained baseline read the policy's own request.
  let frameRequest: FrameRequest | undefined;
  if (config.model !== undefined) {
    const dir = userPath(config.model);
    const found = existsSync(dir) ? newestCheckpoint(dir) : null;
    if (!found) throw new Error(`--model ${config.model}: ${dir} is neither a URL nor a directory holding a policy checkpoint (manifest.json of format ${CHECKPOINT_FORMAT})`);
    ({ policy, frames: frameRequest } = await loadCheckpoint(found.dir));
    label = `checkpoint ${path.basename(found.dir)}`;
    source = found.dir;
  } else {
    const found = existsSync(path.join(TRAINER_RUNS_DIR, 'latest')) ? newestCheckpoint(path.join(TRAINER_RUNS_DIR, 'latest')) : null;
    if (found) {
      ({ policy, frames: frameRequest } = await loadCheckpoint(found.dir));
      label = `trainer checkpoint ${path.basename(found.dir)}`;
      source = found.dir;
    } else {
      log(`no trainer checkpoint under ${path.join(TRAINER_RUNS_DIR, 'latest')}: evaluating an untrained policy as the baseline (train one with pnpm --filter trainer start)`);
      policy = createPolicy({ seed: config.seed }, await baselineTokenizer());
      label = 'untrained policy (baseline)';
      source = 'untrained';
    }
  }
  const maxNewTokens = tokenBudget(policy, samples, config.decoding.max_tokens);
  const name = source === 'untrained' ? 'untrained-policy' : `policy:${path.basename(path.dirname(source)) === 'checkpoints' ? path.basename(path.dirname(path.dirname(source))) : path.basename(path.dirname(source))}/${path.basename(source)}`;
  const adapter = policyAdapter({
    policy,
    name,
    maxNewTokens,
    temperature: config.decoding.temperature,
    topP: config.decoding.top_p,
    seed: config.seed,
    batchSize: Math.max(1, config.concurrency),
    ...(frameRequest && { frameRequest }),
  });
  return {
    adapter,
    description: `${label} (${policy.config.dModel}-wide, ${policy.config.nLayers} layers; ${backend.name} backend; up to ${maxNewTokens} new tokens, temperature ${config.decoding.temperature}, top_p ${config.decoding.top_p})`,
    settings: { checkpoint: source, backend: backend.name, decoding: { ...config.decoding, max_tokens: maxNewTokens }, seed: config.seed },
  };
}
