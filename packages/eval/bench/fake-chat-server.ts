/**
 * A fake OpenAI-compatible chat-completions server for the annotation bench, run as its own
 * process (so it does not share the client's event loop): every answer after LATENCY_MS, a short
 * CoT reply. Prints its base URL on stdout once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const latencyMs = Number(process.env.LATENCY_MS ?? '0');
const reply = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: '<think>Let me think. The red box moves first, then the blue one.</think><answer>A</answer>' }, finish_reason: 'stop' }],
});

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const send = (): void => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(req.url === '/v1/models' ? '{"data":[{"id":"bench"}]}' : reply);
    };
    if (latencyMs > 0 && req.url !== '/v1/models') setTimeout(send, latencyMs);
    else send();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1\n`);
});
