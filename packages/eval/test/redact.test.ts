import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAIAdapter, REDACTED, runEvaluation, secretRedactor } from '../src/index.js';
import { startChatServer } from './helpers/chat-server.js';
import type { ChatServer, ScriptedReply } from './helpers/chat-server.js';
import { questionId, testSamples } from './helpers/samples.js';

const KEY = 'sk-live-0123456789abcdefSECRET';
const AZURE_KEY = 'azure-9876543210fedcbaSECRET';

let dir: string;
let server: ChatServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-redact-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('credentials never reach messages, logs or results files', () => {
  it('redacts the key and credential headers a server echoes back, in every kind of error', async () => {
    server = await startChatServer((req): ScriptedReply => {
      const echo = { error: { message: 'denied', request_headers: req.headers, raw: `Authorization: ${String(req.headers.authorization)}` } };
      const id = questionId(req.text);
      // The key sits past the first 300 characters in the 401 body, so truncation alone would cut it in half.
      if (id === 0) return { status: 401, body: { padding: 'x'.repeat(250), ...echo } };
      if (id === 1) return { status: 500, body: echo };
      if (id === 2) return { body: echo }; // 200 without choices: a malformed response quoting the body
      return { body: `not json ${JSON.stringify(req.headers)}` };
    });
    process.env.EVAL_REDACT_KEY = KEY;
    const retries: string[] = [];
    const adapter = openAIAdapter({
      baseUrl: server.url,
      model: 'm',
      apiKeyEnv: 'EVAL_REDACT_KEY',
      headers: { 'api-key': AZURE_KEY },
      retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 },
      onRetry: (r) => retries.push(r.reason),
    });
    const outputPath = join(dir, 'out.json');
    const { results } = await runEvaluation({ benchmark: 'synthetic', samples: testSamples(4), adapter, outputPath, dataRoot: dir });
    delete process.env.EVAL_REDACT_KEY;

    // The server did get (and echo) the credentials: what follows is redaction, not absence.
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(server.requests[0]!.headers['api-key']).toBe(AZURE_KEY);
    expect(results.map((r) => r.error?.kind)).toEqual(['http', 'http', 'malformed-response', 'malformed-response']);
    const written = await readFile(outputPath, 'utf8');
    const everything = [written, ...retries, ...results.map((r) => r.error!.message)].join('\n');
    for (const secret of [KEY, AZURE_KEY, KEY.slice(0, 12), AZURE_KEY.slice(0, 12)]) expect(everything).not.toContain(secret);
    expect(results[1]!.error!.message).toContain(REDACTED);
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((r) => !r.includes(KEY))).toBe(true);
  });

  it('keeps URL credentials out of the adapter name and base URL it reports', () => {
    const adapter = openAIAdapter({ baseUrl: 'http://alice:s3cret-pass@127.0.0.1:9/v1' });
    expect(adapter.baseUrl).toBe(`http://${REDACTED}:${REDACTED}@127.0.0.1:9/v1`);
    expect(adapter.name).not.toContain('s3cret');
  });

  it('redacts escaped copies of a secret and credential-shaped headers it was not told about', () => {
    const redact = secretRedactor(['p@ss/word"1']);
    expect(redact('url p%40ss%2Fword%221 json "p@ss/word\\"1" raw p@ss/word"1')).toBe(`url ${REDACTED} json "${REDACTED}" raw ${REDACTED}`);
    expect(redact('Authorization: Bearer abc.def-123')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redact('{"x-api-key":"zzz999","other":"kept"}')).toBe(`{"x-api-key":"${REDACTED}","other":"kept"}`);
    expect(redact('nothing secret here')).toBe('nothing secret here');
  });
});
