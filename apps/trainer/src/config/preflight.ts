import { existsSync, statSync } from 'node:fs';
import { readCheckpoint, selectModules } from '@video-r1/qwen-vl';
import { isRewardName, REWARD_NAMES } from '@video-r1/rewards';
import { ConfigError } from './resolve.js';
import type { TrainerConfig } from './types.js';

/**
 * Checks that need the outside world (files, the reward registry), so a typo in a path or a reward
 * name stops the run before anything is generated, decoded or trained.
 */
export function preflight(config: TrainerConfig): void {
  const problems: { field: string; text: string }[] = [];
  for (const name of config.rl.rewardFuncs) {
    if (!isRewardName(name)) {
      problems.push({ field: 'rl.rewardFuncs', text: `rl.rewardFuncs: unknown reward function ${JSON.stringify(name)} (known: ${REWARD_NAMES.join(', ')})` });
    }
  }
  const files = config.data.source === 'files' ? config.data.files : null;
  if (files) {
    const entries: Array<[string, string | null]> = [
      ['data.files.train', files.train],
      ['data.files.sft', files.sft],
      ['data.files.validation', files.validation],
      ['data.files.test', files.test],
    ];
    for (const [field, file] of entries) {
      if (file !== null && !existsSync(file)) problems.push({ field, text: `${field}: ${file} does not exist` });
    }
    if (files.dataRoot !== null && !(existsSync(files.dataRoot) && statSync(files.dataRoot).isDirectory())) {
      problems.push({ field: 'data.files.dataRoot', text: `data.files.dataRoot: ${files.dataRoot} is not a directory` });
    }
  }
  if (config.sft.init !== null && !(existsSync(config.sft.init) && statSync(config.sft.init).isDirectory())) {
    problems.push({ field: 'sft.init', text: `sft.init: ${config.sft.init} is not a checkpoint directory` });
  }
  if (config.rl.enabled && config.schedule.validateEvery > 0 && config.data.source === 'files' && files?.validation === null) {
    problems.push({ field: 'schedule.validateEvery', text: 'schedule.validateEvery: needs data.files.validation (or set it to 0)' });
  }
  problems.push(...qwenProblems(config));
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  - ${problems.map((p) => p.text).join('\n  - ')}`, problems.map((p) => p.field));
  }
}

/**
 * A Qwen2.5-VL model: the directory exists and holds a Qwen2.5-VL checkpoint (config, weights'
 * headers), and every LoRA target selects at least one decoder linear of it.
 */
function qwenProblems(config: TrainerConfig): { field: string; text: string }[] {
  const { model } = config;
  const problems: { field: string; text: string }[] = [];
  if (model.family !== 'qwen2.5-vl') {
    if (model.dir !== undefined && model.dir !== null) problems.push({ field: 'model.dir', text: 'model.dir: set model.family to "qwen2.5-vl" (or pass --model) to train a checkpoint' });
    if (typeof config.rl.rollout === 'object') problems.push({ field: 'rl.rollout', text: 'rl.rollout: server rollouts need model.family "qwen2.5-vl"' });
    return problems;
  }
  const dir = model.dir ?? null;
  if (dir === null) {
    if (config.preset !== 'qwen-tiny') problems.push({ field: 'model.dir', text: `model.dir: preset ${config.preset} needs a Qwen2.5-VL checkpoint directory (--model <dir>)` });
  } else if (!(existsSync(dir) && statSync(dir).isDirectory())) {
    problems.push({ field: 'model.dir', text: `model.dir: ${dir} is not a directory` });
  } else {
    try {
      const checkpoint = readCheckpoint(dir);
      const adapter = model.adapter ?? 'full';
      if (adapter !== 'full') {
        const targets = typeof adapter.targetModules === 'string' ? [adapter.targetModules] : adapter.targetModules;
        for (const target of targets) {
          const pattern = typeof adapter.targetModules === 'string' ? target : [target];
          if (selectModules(checkpoint.config, checkpoint.layout, pattern).length === 0) {
            problems.push({ field: 'model.adapter.targetModules', text: `model.adapter.targetModules: ${JSON.stringify(target)} selects no decoder linear of ${dir} (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)` });
          }
        }
      }
    } catch (error) {
      problems.push({ field: 'model.dir', text: `model.dir: ${(error as Error).message}` });
    }
  }
  if (typeof config.rl.rollout === 'object' && (model.adapter ?? 'full') === 'full' && config.rl.enabled) {
    problems.push({ field: 'rl.rollout', text: 'rl.rollout: a server receives the weights as a LoRA adapter after every update; set model.adapter to LoRA settings or use rollout "local"' });
  }
  return problems;
}
