/**
 * `pnpm --filter evaluator start annotate --model <url|dir> --data <file> --out <dir> …`: CoT
 * annotation as Video-R1's `src/generate_cot_vllm.py` (the step that built Video-R1-COT-165k),
 * composed from @video-r1/eval's `runAnnotation` and its model adapters.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readDataset, summarizeReport } from '@video-r1/datasets';
import type { VideoR1Record } from '@video-r1/datasets';
import { COT_DECODING, annotationTables, cotFrameLoader, cotFrameRequest, openAIAdapter, runAnnotation } from '@video-r1/eval';
import type { ModelAdapter } from '@video-r1/eval';
import { defineCommand } from 'citty';
import { AnnotationProgressView } from './annotate-progress.js';
import { ConfigError, resolveConfig } from './config.js';
import type { Backend } from './config.js';
import { runInterruptible } from './interruptible.js';
import { isEndpoint } from './model.js';
import { userPath } from './paths.js';

export interface AnnotateFlags {
  model?: string;
  adapter?: string;
  data?: string;
  out?: string;
  mediaRoot?: string;
  concurrency?: string;
  samples?: string;
  resume?: boolean;
  modelName?: string;
  media?: string;
  timeoutMs?: string;
  maxRetries?: string;
  apiKeyEnv?: string;
  backend?: string;
  seed?: string;
  limit?: string;
}

export interface AnnotateSettings {
  model: string;
  /** A PEFT LoRA directory applied to the Qwen2.5-VL checkpoint of `model`. */
  adapter?: string;
  data: string;
  out: string;
  mediaRoot: string;
  concurrency: number;
  samples: number;
  resume: boolean;
  modelName?: string;
  media: 'frames' | 'video_url';
  timeoutMs: number;
  maxRetries: number;
  apiKeyEnv: string;
  backend: Backend;
  seed: number;
  limit?: number;
}

const BACKENDS: readonly Backend[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Flags → settings; every problem is listed at once, each naming its flag. */
export function annotateSettings(flags: AnnotateFlags): AnnotateSettings {
  const problems: string[] = [];
  const required = (flag: string, value: string | undefined): string => {
    if (value === undefined || value === '') problems.push(`${flag} is required`);
    return value ?? '';
  };
  const integer = (flag: string, value: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      problems.push(`${flag} expects an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return n;
  };
  const model = required('--model', flags.model);
  const data = required('--data', flags.data);
  const out = required('--out', flags.out);
  const media = flags.media ?? 'frames';
  if (media !== 'frames' && media !== 'video_url') problems.push(`--media must be frames or video_url, got ${JSON.stringify(media)}`);
  const backend = (flags.backend ?? 'auto') as Backend;
  if (!BACKENDS.includes(backend)) problems.push(`--backend must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(flags.backend)}`);
  const apiKeyEnv = flags.apiKeyEnv ?? 'OPENAI_API_KEY';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(apiKeyEnv)) problems.push(`--api-key-env must name an environment variable, got ${JSON.stringify(apiKeyEnv)}`);
  const settings: AnnotateSettings = {
    model,
    data: data && userPath(data),
    out: out && userPath(out),
    mediaRoot: flags.mediaRoot ? userPath(flags.mediaRoot) : data ? path.dirname(userPath(data)) : '',
    concurrency: integer('--concurrency', flags.concurrency, 8, 1, 1024),
    samples: integer('--samples', flags.samples, 1, 1, 64),
    resume: Boolean(flags.resume),
    media: media as AnnotateSettings['media'],
    timeoutMs: integer('--timeout-ms', flags.timeoutMs, 300_000, 1),
    maxRetries: integer('--max-retries', flags.maxRetries, 5, 0, 100),
    apiKeyEnv,
    backend,
    seed: integer('--seed', flags.seed, 0, 0),
  };
  if (flags.modelName !== undefined) settings.modelName = flags.modelName;
  if (flags.adapter !== undefined) settings.adapter = flags.adapter;
  if (flags.limit !== undefined) settings.limit = integer('--limit', flags.limit, 1, 1);
  if (problems.length > 0) throw new ConfigError('command line', problems);
  return settings;
}

interface AnnotationModel {
  adapter: ModelAdapter;
  description: string;
  settings: Record<string, unknown>;
  /** Requests retried so far (endpoints), for the progress line. */
  retries?: () => number;
}

/** The `model_type` of a Hugging Face checkpoint directory's `config.json`, else null. */
function qwenCheckpointType(dir: string): string | null {
  try {
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { model_type?: unknown };
    return typeof config.model_type === 'string' ? config.model_type : null;
  } catch {
    return null;
  }
}

/**
 * The model behind `--model`: an endpoint through `openAIAdapter`, a Qwen2.5-VL checkpoint (with
 * `--adapter`) through the run command's `qwenModel`, or the project's policy through `policyAdapter`.
 * In-process models get generate_cot_vllm.py's sampling (`COT_DECODING`) at construction, since
 * `runAnnotation` hands an adapter only the prompt, media and budget.
 */
export async function annotationModel(settings: AnnotateSettings, samples: readonly VideoR1Record[], log: (line: string) => void): Promise<AnnotationModel> {
  const inProcess = { model: settings.model, concurrency: settings.concurrency, backend: settings.backend, seed: settings.seed, decoding: { ...COT_DECODING } };
  const dir = isEndpoint(settings.model) ? null : userPath(settings.model);
  if (dir !== null && existsSync(dir)) {
    // Loaded only for directories: @video-r1/qwen-vl and TensorFlow.js are heavy, and endpoints never need them.
    const { isQwenCheckpoint, qwenModel } = await import('./qwen-model.js');
    if (isQwenCheckpoint(dir)) {
      const config = resolveConfig({}, { ...inProcess, ...(settings.adapter !== undefined ? { adapter: settings.adapter } : {}) });
      return qwenModel(config, log, { frameRequest: cotFrameRequest });
    }
  }
  if (settings.adapter !== undefined) throw new Error(`--adapter ${settings.adapter}: needs --model <Qwen2.5-VL checkpoint directory>`);
  if (dir === null) {
    let retries = 0;
    const endpoint = openAIAdapter({
      baseUrl: settings.model,
      ...(settings.modelName !== undefined ? { model: settings.modelName } : {}),
      apiKeyEnv: settings.apiKeyEnv,
      decoding: { ...COT_DECODING },
      media: settings.media,
      frameLoader: cotFrameLoader,
      maxConcurrency: settings.concurrency,
      timeoutMs: settings.timeoutMs,
      retry: { maxRetries: settings.maxRetries },
      onRetry: () => {
        retries++;
      },
    });
    const served = await endpoint.resolveModel();
    return {
      adapter: { name: served, generate: (sample, request) => endpoint.generate(sample, request) },
      description: `${served} at ${endpoint.baseUrl} (${settings.media === 'frames' ? 'frames as JPEG image parts' : 'video_url parts'})`,
      settings: { endpoint: endpoint.baseUrl, model_name: served, decoding: COT_DECODING, media: settings.media },
      retries: () => retries,
    };
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`--model ${settings.model}: ${dir} is neither an http(s) URL nor a directory`);
  const modelType = qwenCheckpointType(dir);
  if (modelType !== null) {
    throw new Error(
      `--model ${settings.model}: ${dir} is a Hugging Face checkpoint of model_type ${modelType}; in-process annotation runs Qwen2.5-VL checkpoints and the project's own policy only. Serve the checkpoint with vLLM (vllm serve ${dir}) and pass its URL (http://127.0.0.1:8000/v1)`,
    );
  }
  // Loaded only here: TensorFlow.js and its backends are heavy, and endpoints never need them.
  const { policyModel } = await import('./policy-model.js');
  const config = resolveConfig({}, inProcess);
  return policyModel(config, log, samples);
}

async function loadSamples(file: string, limit: number | undefined, log: (line: string) => void): Promise<VideoR1Record[]> {
  if (!existsSync(file)) throw new Error(`--data: ${file} does not exist`);
  const { records, report } = await readDataset(file, { kind: 'any', log: false });
  if (report.skipped > 0) log(`${summarizeReport(report)} (skipped records are not annotated; \`video-r1-data validate ${file}\` lists them)`);
  if (records.length === 0) throw new Error(`--data: ${file} holds no valid record (${summarizeReport(report)})`);
  return limit === undefined ? records : records.slice(0, limit);
}

export const annotateCommand = defineCommand({
  meta: { name: 'annotate', description: "CoT annotation as Video-R1's generate_cot_vllm.py: reason about every sample, keep chains with reward > 0.6, write an SFT set." },
  args: {
    model: { type: 'string', description: 'OpenAI-compatible base URL (http://127.0.0.1:8000/v1), a Qwen2.5-VL checkpoint directory or a policy checkpoint directory', valueHint: 'url|dir' },
    adapter: { type: 'string', description: 'PEFT LoRA adapter directory applied to the Qwen2.5-VL checkpoint of --model', valueHint: 'dir' },
    data: { type: 'string', description: 'Video-R1 JSON or JSONL file (Video-R1-260k format)', valueHint: 'file' },
    out: { type: 'string', description: 'output directory: cot_results.json, cot_sft.json, cot_summary.json', valueHint: 'dir' },
    mediaRoot: { type: 'string', description: "directory the records' ./… media paths resolve against (default: the data file's)", valueHint: 'dir' },
    concurrency: { type: 'string', description: 'samples and requests in flight (default 8)' },
    samples: { type: 'string', description: 'chains drawn per sample; the best-scoring one is kept (default 1)' },
    resume: { type: 'boolean', description: 'continue --out: finished samples are kept, failed ones asked again' },
    modelName: { type: 'string', description: 'model name sent to an endpoint (default: the first it lists)' },
    media: { type: 'string', description: 'endpoints: frames (base64 JPEG parts, default) or video_url' },
    timeoutMs: { type: 'string', description: 'per-request timeout (default 300000)' },
    maxRetries: { type: 'string', description: 'retries on 429/5xx/timeouts/malformed replies (default 5)' },
    apiKeyEnv: { type: 'string', description: 'environment variable holding the API key (default OPENAI_API_KEY)' },
    backend: { type: 'string', description: 'TensorFlow.js backend for an in-process checkpoint: auto, tensorflow-gpu, tensorflow, wasm, cpu' },
    seed: { type: 'string', description: 'sampling seed for an in-process checkpoint (default 0)' },
    limit: { type: 'string', description: 'first N records of the data file only (a trial run)' },
  },
  async run({ args }) {
    await annotate(annotateSettings(args as AnnotateFlags));
  },
});

async function annotate(settings: AnnotateSettings): Promise<void> {
  const log = (line: string): void => console.error(line);
  const samples = await loadSamples(settings.data, settings.limit, log);
  const model = await annotationModel(settings, samples, log);
  log(`model: ${model.description}`);
  log(`data: ${settings.data} (${samples.length} samples; media under ${settings.mediaRoot})`);
  log(`output: ${settings.out}${settings.resume ? ' (resuming)' : ''}; ${settings.samples} chain(s) per sample, temperature ${COT_DECODING.temperature}, top_p ${COT_DECODING.top_p}, max_tokens ${COT_DECODING.max_tokens}`);

  const progress = new AnnotationProgressView(model.retries);
  const result = await runInterruptible(
    {
      log,
      note: 'interrupted: saving finished samples (run again with --resume to continue)',
      stop: () => progress.stop(),
      close: () => model.adapter.close?.(),
    },
    (signal) =>
      runAnnotation({
        samples,
        adapter: model.adapter,
        outDir: settings.out,
        mediaRoot: settings.mediaRoot,
        samplesPerQuestion: settings.samples,
        concurrency: settings.concurrency,
        resume: settings.resume,
        signal,
        metadata: { data: settings.data, media_root: settings.mediaRoot, settings: model.settings },
        onProgress: (p) => progress.update(p),
      }),
  );
  if (result === undefined) return;
  console.log('');
  console.log(annotationTables(result.summary));
  console.log(`\nresults: ${result.paths.results}\nSFT set: ${result.paths.sft} (${result.summary.total.sft} records, Video-R1-COT format)\nsummary: ${result.paths.summary}`);
  if (result.summary.total.failed > 0) {
    log(`${result.summary.total.failed} samples failed (their error is in ${path.basename(result.paths.results)}); run the same command with --resume to ask them again`);
    process.exitCode = 1;
  }
}
