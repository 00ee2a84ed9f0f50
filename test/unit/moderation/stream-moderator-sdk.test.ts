import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import OpenAI from 'openai';
import { moderateStream } from '../../../core/moderation/stream-moderator';
import { checkBy, events } from './sse-fixtures';

// The real OpenAI SDK reads the moderator's ending as a normal answer that was filtered.
const TEXTS = ['Fine.', ' Bad', ' stuff.', ' More.'];
let server: Server;
let client: OpenAI;
let blocks = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const format = req.url?.endsWith('/responses') ? 'responses' : 'chat';
    const input = Buffer.from(events(format, TEXTS).join(''));
    // Served in 7-byte pieces, so events straddle chunks as they would from an upstream.
    const pieces = Array.from({ length: Math.ceil(input.length / 7) }, (_, i) =>
      input.subarray(i * 7, i * 7 + 7),
    );
    const upstream = Readable.from(pieces);
    const moderator = moderateStream({
      check: checkBy(/Bad/),
      onCheckFailure: () => 'block',
      onBlocked: () => {
        blocks++;
        upstream.destroy(); // what the proxy does to its upstream request
      },
    });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    upstream.pipe(moderator).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'x', maxRetries: 0 });
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

beforeEach(() => (blocks = 0));

it('chat: the SDK reports finish_reason content_filter after the text that passed', async () => {
  const stream = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
  });
  let content = '';
  const finishes: unknown[] = [];
  for await (const chunk of stream) {
    content += chunk.choices[0]?.delta.content ?? '';
    if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
  }
  expect(content).toBe('Fine.');
  expect(finishes).toEqual(['content_filter']);
  expect(blocks).toBe(1);
});

it('responses: the SDK gets response.incomplete with reason content_filter', async () => {
  const stream = await client.responses.create({ model: 'gpt-4o', input: 'hi', stream: true });
  const types: string[] = [];
  let last: OpenAI.Responses.ResponseStreamEvent | undefined;
  for await (const event of stream) {
    types.push(event.type);
    last = event;
  }
  expect(types).toEqual([
    'response.created',
    'response.in_progress',
    'response.output_item.added',
    'response.content_part.added',
    'response.output_text.delta',
    'response.incomplete',
  ]);
  expect(last?.type === 'response.incomplete' && last.response.incomplete_details).toEqual({
    reason: 'content_filter',
  });
  expect(blocks).toBe(1);
});

it('the SDK’s accumulating helpers finish without an error', async () => {
  const chat = await client.chat.completions
    .stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
    .finalChatCompletion();
  expect(chat.choices[0]).toMatchObject({ finish_reason: 'content_filter', message: { content: 'Fine.' } });
  const response = await client.responses.stream({ model: 'gpt-4o', input: 'hi' }).finalResponse();
  expect(response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } });
  expect(blocks).toBe(2);
});
