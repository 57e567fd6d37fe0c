import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import pLimit from 'p-limit';
import type { VideoR1Record } from '@video-r1/datasets';
import { DeadlineExceededError, withDeadline } from '../deadline.js';
import { ModelRequestError } from '../errors.js';
import { secretRedactor, secretHeaderValues } from '../redact.js';
import { encodeJpegFrames, jpegDataUrl } from '../jpeg.js';
import type { FrameLoader } from '../media.js';
import { videoIoFrameLoader } from '../media.js';
import { isRetryableStatus, parseRetryAfter, resolveRetryOptions, retryDelayMs, sleep } from '../retry.js';
import type { RetryOptions } from '../retry.js';
import type { GenerateRequest, ModelAdapter } from '../types.js';

/** Sampling settings sent with every request (snake_case, as the API names them). */
export interface DecodingOptions {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  /** Anything else the server understands (`top_k`, `seed`, `repetition_penalty`, …). */
  [extra: string]: unknown;
}

/**
 * Video-R1's evaluation decoding: the Qwen2.5-VL demo settings its README gives
 * (top_p 0.001, temperature 0.01) and `max_tokens` 1024 from `eval_bench.py`.
 */
export const VIDEO_R1_DECODING = Object.freeze({ temperature: 0.01, top_p: 0.001, max_tokens: 1024 });

export interface OpenAIAdapterOptions {
  /** Base URL of the API, up to and including `/v1` (e.g. `http://127.0.0.1:8000/v1`). */
  baseUrl: string;
  /** Model name sent in requests; default: the first id of `GET {baseUrl}/models`. */
  model?: string;
  /** API key; default: the environment variable named by `apiKeyEnv`. Never written to outputs. */
  apiKey?: string;
  /** Environment variable holding the key (default `OPENAI_API_KEY`); no key → no Authorization header. */
  apiKeyEnv?: string;
  /** Merged over `VIDEO_R1_DECODING`. */
  decoding?: DecodingOptions;
  /**
   * How media reach the model: `frames` (default) sends the frames video-io samples as base64 JPEG
   * `image_url` parts, which every multimodal API accepts; `video_url` sends the video file itself
   * (as a data URL, or a `file://` URL with `videoUrl: 'file'`) and lets the server sample frames
   * (vLLM does, for Qwen2.5-VL models).
   */
  media?: 'frames' | 'video_url';
  videoUrl?: 'data' | 'file';
  /** JPEG quality of frame parts, 1–100 (default 90). */
  jpegQuality?: number;
  /** Most requests in flight at once, across all samples (default 8). */
  maxConcurrency?: number;
  /** Per-request time limit in ms (default 300 000). */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Extra headers (e.g. an organisation id). */
  headers?: Record<string, string>;
  /** An optional system message placed before the user turn (Video-R1 sends none). */
  systemPrompt?: string;
  /** Decodes media into frames; default: video-io `readVideo` / `readImage` with the request's budget. */
  frameLoader?: FrameLoader;
  /** Injected `fetch` (default: the global one). */
  fetch?: typeof fetch;
  /** Source of randomness for backoff jitter (default Math.random). */
  random?: () => number;
  /** Called before every retry; useful for logging. */
  onRetry?: (info: { sampleKey: string; attempt: number; delayMs: number; reason: string }) => void;
}

type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } } | { type: 'video_url'; video_url: { url: string } };

interface ChatMessage {
  role: 'system' | 'user';
  content: string | ContentPart[];
}

const VIDEO_MIME: Record<string, string> = { '.mp4': 'video/mp4', '.webm': 'video/webm', '.mkv': 'video/x-matroska', '.mov': 'video/quicktime', '.avi': 'video/x-msvideo' };

/** A `ModelAdapter` for any OpenAI-compatible chat-completions endpoint (vLLM, SGLang, hosted APIs). */
export function openAIAdapter(options: OpenAIAdapterOptions): ModelAdapter & { readonly baseUrl: string; resolveModel(): Promise<string> } {
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const retry = resolveRetryOptions(options.retry);
  const timeoutMs = options.timeoutMs ?? 300_000;
  const maxConcurrency = options.maxConcurrency ?? 8;
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) throw new RangeError(`maxConcurrency must be an integer >= 1, got ${maxConcurrency}`);
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${timeoutMs}`);
  const limit = pLimit(maxConcurrency);
  const decoding: DecodingOptions = { ...VIDEO_R1_DECODING, ...options.decoding };
  const mediaMode = options.media ?? 'frames';
  const frameLoader = options.frameLoader ?? videoIoFrameLoader;
  const random = options.random ?? Math.random;
  const apiKey = options.apiKey ?? process.env[options.apiKeyEnv ?? 'OPENAI_API_KEY'];
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  // Servers may echo the request in error bodies: no message, log line or file gets the key.
  const redact = secretRedactor([apiKey, ...secretHeaderValues(options.headers), ...urlCredentials(baseUrl)]);
  const redacted = (error: unknown): unknown => {
    if (error instanceof Error) error.message = redact(error.message);
    return error;
  };

  let modelPromise: Promise<string> | undefined;
  const resolveModel = (): Promise<string> => {
    if (options.model) return Promise.resolve(options.model);
    modelPromise ??= requestJson<{ data?: { id?: unknown }[] }>('GET', '/models', undefined, 'model list').then(
      (body) => {
        const id = body.data?.find((m) => typeof m.id === 'string')?.id;
        if (typeof id !== 'string') throw new ModelRequestError('malformed-response', redact(`${baseUrl}/models lists no model; pass the model name explicitly`));
        return id;
      },
      (error: unknown) => {
        throw redacted(error);
      },
    );
    modelPromise.catch(() => {
      modelPromise = undefined;
    });
    return modelPromise;
  };

  /** One HTTP exchange per attempt, each holding a concurrency slot only while it is in flight. */
  async function requestJson<T>(method: 'GET' | 'POST', path: string, body: unknown, what: string, signal?: AbortSignal): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      type Outcome = { ok: true; value: T } | { ok: false; error: ModelRequestError; retryable: boolean; retryAfterMs: number | null };
      const outcome: Outcome = await limit(async (): Promise<Outcome> => {
        let response: Response;
        let text: string;
        try {
          ({ response, text } = await withDeadline(timeoutMs, signal, async (attemptSignal) => {
            const answer = await fetchImpl(`${baseUrl}${path}`, { method, headers, body: payload, signal: attemptSignal });
            return { response: answer, text: await answer.text() };
          }));
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          const timedOut = error instanceof DeadlineExceededError || (error as Error).name === 'TimeoutError';
          return {
            ok: false as const,
            error: new ModelRequestError(timedOut ? 'timeout' : 'network', timedOut ? `${what}: no answer within ${timeoutMs} ms` : `${what}: ${redact(describeNetworkError(error))}`, { attempts: attempt, cause: error }),
            retryable: true,
            retryAfterMs: null,
          };
        }
        if (!response.ok) {
          return {
            ok: false as const,
            error: new ModelRequestError('http', `${what}: HTTP ${response.status} ${redact(response.statusText)}${text ? `: ${redact(text).slice(0, 300)}` : ''}`, { status: response.status, attempts: attempt }),
            retryable: isRetryableStatus(response.status),
            retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
          };
        }
        try {
          return { ok: true as const, value: JSON.parse(text) as T };
        } catch {
          return {
            ok: false as const,
            error: new ModelRequestError('malformed-response', `${what}: response is not JSON: ${JSON.stringify(redact(text).slice(0, 200))}`, { status: response.status, attempts: attempt }),
            retryable: true,
            retryAfterMs: null,
          };
        }
      });
      if (outcome.ok) return outcome.value;
      if (!outcome.retryable || attempt > retry.maxRetries) throw outcome.error;
      const delayMs = retryDelayMs(attempt - 1, retry, outcome.retryAfterMs, random);
      options.onRetry?.({ sampleKey: what, attempt, delayMs, reason: redact(outcome.error.message) });
      await sleep(delayMs, signal);
    }
  }

  async function buildContent(request: GenerateRequest): Promise<ContentPart[]> {
    const parts: ContentPart[] = [];
    const media = request.media;
    if (media) {
      if (media.kind === 'video' && mediaMode === 'video_url') {
        parts.push({ type: 'video_url', video_url: { url: await videoUrlFor(media.path, options.videoUrl ?? 'data') } });
      } else {
        let frames;
        try {
          frames = await frameLoader(media, { maxFrames: request.maxFrames, maxPixels: request.maxPixels });
        } catch (error) {
          throw new ModelRequestError('media', `cannot read ${media.kind} ${media.path}: ${(error as Error).message}`, { cause: error });
        }
        for (const jpegBytes of encodeJpegFrames(frames, options.jpegQuality ?? 90)) {
          parts.push({ type: 'image_url', image_url: { url: jpegDataUrl(jpegBytes) } });
        }
      }
    }
    parts.push({ type: 'text', text: request.prompt });
    return parts;
  }

  return {
    // Both end up in results files and logs: credentials in the URL are redacted there too.
    name: options.model ?? redact(baseUrl),
    baseUrl: redact(baseUrl),
    resolveModel,
    async generate(sample: VideoR1Record, request: GenerateRequest): Promise<{ output: string }> {
      const label = sampleLabel(sample);
      const [model, content] = await Promise.all([resolveModel(), buildContent(request)]);
      const messages: ChatMessage[] = [];
      if (options.systemPrompt) messages.push({ role: 'system', content: options.systemPrompt });
      messages.push({ role: 'user', content });
      try {
        const body = await requestJson<unknown>('POST', '/chat/completions', { ...decoding, model, messages }, label, request.signal);
        return { output: outputOf(body, label, redact) };
      } catch (error) {
        throw redacted(error);
      }
    },
  };
}

function normalizeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`baseUrl ${JSON.stringify(url)} is not a URL; expected e.g. http://127.0.0.1:8000/v1`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`baseUrl must be http(s), got ${parsed.protocol}`);
  return url.replace(/\/+$/, '').replace(/\/chat\/completions$/, '');
}

function sampleLabel(sample: VideoR1Record): string {
  return sample.problem_id !== undefined ? `sample ${String(sample.problem_id)}` : 'sample';
}

/**
 * The completion text. Servers that split reasoning out (vLLM's reasoning parsers put it in
 * `reasoning_content`) get it back as `<think>…</think>` so the output reads like Video-R1's.
 */
function outputOf(body: unknown, label: string, redact: (text: string) => string): string {
  const choice = (body as { choices?: { message?: { content?: unknown; reasoning_content?: unknown } }[] } | null)?.choices?.[0];
  const message = choice?.message;
  if (!message || typeof message !== 'object') {
    throw new ModelRequestError('malformed-response', `${label}: response has no choices[0].message: ${redact(JSON.stringify(body) ?? String(body)).slice(0, 200)}`);
  }
  let content = '';
  if (typeof message.content === 'string') content = message.content;
  else if (Array.isArray(message.content)) {
    content = message.content.map((p: unknown) => (typeof p === 'string' ? p : typeof (p as { text?: unknown })?.text === 'string' ? (p as { text: string }).text : '')).join('');
  }
  const reasoning = typeof message.reasoning_content === 'string' ? message.reasoning_content : '';
  return reasoning ? `<think>${reasoning}</think>${content}` : content;
}

async function videoUrlFor(path: string, mode: 'data' | 'file'): Promise<string> {
  if (mode === 'file') return pathToFileURL(path).href;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ModelRequestError('media', `cannot read video ${path}: ${(error as Error).message}`, { cause: error });
  }
  const mime = VIDEO_MIME[extname(path).toLowerCase()] ?? 'video/mp4';
  return `data:${mime};base64,${bytes.toString('base64')}`;
}

/** `user:password@` of a base URL, as credentials. */
function urlCredentials(url: string): string[] {
  const parsed = new URL(url);
  return [decodeURIComponent(parsed.username), decodeURIComponent(parsed.password)].filter((part) => part.length > 0);
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return (error as Error).message ?? String(error);
}
