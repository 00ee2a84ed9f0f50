import type { IncomingMessage } from 'node:http';
import type { Logger } from '../logger';
import type { Exchange } from '../step';

/** Request and answer bodies read for the chat log, at most. */
const LIMIT = 1024 * 1024;

/** The parts of a chat request worth keeping: OpenAI chat/completions/responses, Anthropic, Gemini. */
interface Prompt {
  model?: unknown;
  messages?: unknown;
  input?: unknown;
  prompt?: unknown;
  system?: unknown;
  contents?: unknown;
}

/**
 * The opt-in chat log (`OXY_LOG_CHAT=true`, as openai-forward offers): one JSON line per exchange with the
 * request's model and messages and the assistant's reply, reassembled from the stream when streamed.
 * Both bodies are read beside the pipe, never holding a chunk back, and the line is written after the
 * answer ends. Bodies over 1 MiB, or compressed, are left out. Each body is decoded once, whole: a chunk can
 * end inside a UTF-8 character (any CJK text), which decoded on its own would turn into U+FFFD.
 */
export function chatLog(log: Logger) {
  return {
    /** Call once the request body is piped upstream (a 'data' listener starts the flow). */
    request(req: IncomingMessage): () => Prompt | undefined {
      const body = collect(req);
      return () => {
        const whole = body();
        return req.complete && whole !== undefined ? promptOf(whole) : undefined;
      };
    },

    /** The prompt of a body read whole before it went upstream (by the prompt gate, moderation/prompt-gate.ts). */
    readBody(body: Buffer): () => Prompt | undefined {
      const prompt = body.length <= LIMIT ? promptOf(body) : undefined;
      return () => prompt;
    },

    /** Call once the answer is piped to the client; logs when it ends. */
    answer(proxyRes: IncomingMessage, ex: Exchange, prompt: () => Prompt | undefined): void {
      if (proxyRes.headers['content-encoding'] !== undefined) return;
      const stream = ex.upstream?.stream === true;
      const body = collect(proxyRes);
      proxyRes.once('end', () => {
        const asked = prompt();
        const whole = body();
        if (!asked || whole === undefined) return;
        const text = whole.toString('utf8');
        log('info', 'chat', {
          id: ex.id,
          route: ex.route ? ex.route.prefix || '/' : undefined,
          ...asked,
          reply: stream ? streamedReply(text) : reply(text),
        });
      });
    },
  };
}

/** A body's chunks as they pass, for one read at the end: the whole body, or undefined past the limit. */
function collect(from: IncomingMessage): () => Buffer | undefined {
  const chunks: Buffer[] = [];
  let size = 0;
  from.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= LIMIT) chunks.push(c);
    else chunks.length = 0;
  });
  return () => (size <= LIMIT ? Buffer.concat(chunks, size) : undefined);
}

function promptOf(body: Buffer): Prompt | undefined {
  try {
    const { model, messages, input, prompt, system, contents } = JSON.parse(body.toString('utf8')) as Prompt;
    return { model, messages, input, prompt, system, contents };
  } catch {
    return undefined;
  }
}

/** The assistant's text in a JSON answer: OpenAI chat or completions, Anthropic, Gemini, responses. */
function reply(text: string): string | undefined {
  try {
    return textOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The assistant's text of an SSE answer: every delta, in order. */
function streamedReply(text: string): string {
  let out = '';
  for (const line of text.split('\n')) {
    if (!line.startsWith('data:') || line.startsWith('data: [DONE]')) continue;
    try {
      out += deltaOf(JSON.parse(line.slice(5))) ?? '';
    } catch {
      // A line that is not JSON carries no text.
    }
  }
  return out;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function textOf(a: Json): string | undefined {
  const choice = a.choices?.[0];
  if (choice) return choice.message?.content ?? choice.text;
  if (Array.isArray(a.content)) return a.content.map((b: Json) => b.text ?? '').join('');
  if (a.candidates) return a.candidates[0]?.content?.parts?.map((p: Json) => p.text ?? '').join('');
  return a.output_text;
}

function deltaOf(e: Json): string | undefined {
  const choice = e.choices?.[0];
  if (choice) return choice.delta?.content ?? choice.text;
  if (e.type === 'content_block_delta') return e.delta?.text;
  if (e.type === 'response.output_text.delta') return e.delta;
  if (e.candidates) return e.candidates[0]?.content?.parts?.map((p: Json) => p.text ?? '').join('');
  return undefined;
}
