// The three calls of an OpenAI-compatible inference server (vLLM's) that remote rollouts need:
// chat completions with the sampled token ids, and vLLM's runtime LoRA endpoints
// (`POST /v1/load_lora_adapter`, `POST /v1/unload_lora_adapter`; the server runs with
// `--enable-lora` and `VLLM_ALLOW_RUNTIME_LORA_UPDATING=True`).
import type { OpenAIContentPart } from './media.js';

export type RolloutServerErrorCode = 'HTTP_ERROR' | 'UNREACHABLE' | 'BAD_RESPONSE' | 'NO_TOKEN_IDS' | 'PAD_SAMPLED' | 'NO_ADAPTER';

export class RolloutServerError extends Error {
  override readonly name = 'RolloutServerError';
  constructor(
    readonly code: RolloutServerErrorCode,
    message: string,
    readonly url?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ChatCompletionRequest {
  model: string;
  messages: Array<{ role: 'user' | 'system'; content: OpenAIContentPart[] }>;
  n: number;
  temperature: number;
  top_p: number;
  /** vLLM: −1 disables top-k. */
  top_k: number;
  max_tokens: number;
  seed?: number;
  /** With return_tokens_as_token_ids, each logprobs entry's token reads `token_id:<id>` (vLLM ≥ 0.5). */
  logprobs: true;
  return_tokens_as_token_ids: true;
  /** vLLM ≥ 0.10.2 adds `token_ids` to each choice. */
  return_token_ids: true;
  skip_special_tokens: true;
  stop_token_ids: number[];
  /** PAD and the visual placeholders at −100, so they are never sampled (the local sampler bans them too). */
  logit_bias: Record<string, number>;
  /** Passed to the HF processor: the video's fps (for `second_per_grid_ts`). */
  mm_processor_kwargs?: { fps: number };
}

/** One choice as the server returns it, reduced to what rollouts use. */
export interface ServerChoice {
  index: number;
  tokenIds: number[];
  finishReason: string | null;
}

/** Joins a path such as `/v1/chat/completions` to a base URL given with or without its `/v1`. */
export function endpoint(baseUrl: string, pathAfterV1: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${trimmed}/v1/${pathAfterV1.replace(/^\/+/, '')}`;
}

export interface ServerClientOptions {
  /** Per request (default 10 minutes: a batch of long completions on a busy server). */
  timeoutMs?: number;
  /** For tests and proxies (default: the global fetch). */
  fetch?: typeof fetch;
}

async function post(url: string, body: unknown, options: ServerClientOptions): Promise<unknown> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 600_000),
    });
  } catch (cause) {
    throw new RolloutServerError('UNREACHABLE', `${url}: ${(cause as Error).message}; is the server running (see the vLLM command line in the README)?`, url, { cause });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new RolloutServerError('HTTP_ERROR', `${url} answered ${response.status}: ${text.slice(0, 500)}`, url);
  }
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // vLLM's LoRA endpoints answer in plain text ("Success: LoRA adapter … added successfully.").
    return text;
  }
}

function tokenIdsOf(choice: Record<string, unknown>, url: string): number[] {
  const direct = choice['token_ids'];
  if (Array.isArray(direct) && direct.every((id) => Number.isInteger(id))) return direct as number[];
  const content = (choice['logprobs'] as { content?: unknown } | null | undefined)?.content;
  if (Array.isArray(content)) {
    return content.map((entry: unknown, i) => {
      const token = (entry as { token?: unknown } | null)?.token;
      const match = typeof token === 'string' ? /^token_id:(\d+)$/.exec(token) : null;
      if (match === null) {
        throw new RolloutServerError('NO_TOKEN_IDS', `${url}: logprobs.content[${i}].token is ${JSON.stringify(token)}, not "token_id:<id>"; the server ignored return_tokens_as_token_ids`, url);
      }
      return Number(match[1]);
    });
  }
  throw new RolloutServerError('NO_TOKEN_IDS', `${url}: a choice has neither token_ids nor logprobs.content; use vLLM ≥ 0.5 (return_tokens_as_token_ids) or ≥ 0.10.2 (return_token_ids)`, url);
}

/** `POST /v1/chat/completions`; choices come back ordered by index. */
export async function chatCompletion(baseUrl: string, request: ChatCompletionRequest, options: ServerClientOptions = {}): Promise<ServerChoice[]> {
  const url = endpoint(baseUrl, 'chat/completions');
  const json = await post(url, request, options);
  const choices = (json as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices) || choices.length !== request.n) {
    throw new RolloutServerError('BAD_RESPONSE', `${url}: expected ${request.n} choices, got ${Array.isArray(choices) ? choices.length : 'none'}`, url);
  }
  return choices
    .map((raw: unknown, i) => {
      const choice = raw as Record<string, unknown>;
      return {
        index: typeof choice['index'] === 'number' ? choice['index'] : i,
        tokenIds: tokenIdsOf(choice, url),
        finishReason: typeof choice['finish_reason'] === 'string' ? choice['finish_reason'] : null,
      };
    })
    .sort((a, b) => a.index - b.index);
}

/** vLLM's `POST /v1/load_lora_adapter`. `path` is the adapter directory as the server sees it. */
export async function loadLoraAdapter(baseUrl: string, name: string, path: string, options: ServerClientOptions = {}): Promise<void> {
  await post(endpoint(baseUrl, 'load_lora_adapter'), { lora_name: name, lora_path: path }, options);
}

/** vLLM's `POST /v1/unload_lora_adapter`. */
export async function unloadLoraAdapter(baseUrl: string, name: string, options: ServerClientOptions = {}): Promise<void> {
  await post(endpoint(baseUrl, 'unload_lora_adapter'), { lora_name: name }, options);
}
