import type { SseFields } from './sse-events';

/** The streamed APIs whose text is moderated, and whose stream can be ended with a content filter. */
export type Format = 'chat' | 'completion' | 'responses' | 'anthropic';

/**
 * A stretch of answer text and the text stream it belongs to. Each stream is split into sentences on its
 * own: a choice of an n>1 chat answer, a Responses content part, an Anthropic content block, reasoning
 * kept apart from the answer. Interleaved streams concatenated would make sentences of neither.
 */
export interface Delta {
  key: string;
  text: string;
}

/** What one event means for moderation, and for the ending once the event has been sent. */
export interface Reading {
  deltas: Delta[];
  /** OpenAI's `data: [DONE]`: no more text will come. */
  done?: boolean;
  /** Text streams this event finishes: their unfinished sentences can be checked now. */
  ends?: string[];
  /** Chat/completion choices this event finishes (finish_reason set). */
  finished?: number[];
  /** An Anthropic content block opened or closed by this event. */
  blockStart?: number;
  blockStop?: number;
  /** A Responses event's sequence number and `response` snapshot. */
  sequence?: number;
  response?: Json;
}

const DONE: Reading = { deltas: [], done: true };

type Json = Record<string, unknown>;

/** The Responses events that stream text (`<name>.delta`, then `<name>.done`), by their stream key prefix. */
const RESPONSES_TEXT: Record<string, string | undefined> = {
  'response.output_text': 'o',
  'response.reasoning_text': 't',
  'response.reasoning_summary_text': 's',
};

const ANTHROPIC_TYPES = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
]);

/**
 * Reads the answer's events: the text deltas to moderate, and what the content-filter ending will need
 * (ids, the Responses snapshot, what the client has already been sent). Only `data:` fields that look like
 * JSON objects are parsed.
 */
export class AnswerFormat {
  format: Format | undefined;
  id: string | undefined;
  model: string | undefined;
  created: number | undefined;
  /** Chat/completion choice indexes seen, and those whose finish the client has been sent. */
  readonly choices = new Set<number>();
  readonly finishedOut = new Set<number>();
  /** Anthropic content blocks the client has been sent the start, and no stop, of. */
  readonly openBlocks = new Set<number>();
  /**
   * The newest Responses `response` object and sequence number the client was sent. Taken when sent, not
   * when read: a `response.completed` read but held holds the whole answer, blocked sentence included.
   */
  response: Json | undefined;
  sequence = -1;

  read(fields: SseFields): Reading | undefined {
    const data = fields.data;
    if (data === undefined) return undefined;
    if (data === '[DONE]') return DONE;
    if (data.trimStart().charCodeAt(0) !== 0x7b /* { */) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return undefined;
    }
    if (!isJson(json)) return undefined;
    const type = json.type;
    if (typeof type === 'string' && type.startsWith('response.')) return this.responses(type, json);
    if (typeof type === 'string' && ANTHROPIC_TYPES.has(type)) return this.anthropic(type, json);
    if (Array.isArray(json.choices)) return this.choiceChunk(json, json.choices);
    return undefined;
  }

  /** Notes what reached the client, for an ending that closes exactly what is open. */
  written(r: Reading): void {
    for (const i of r.finished ?? []) this.finishedOut.add(i);
    if (r.blockStart !== undefined) this.openBlocks.add(r.blockStart);
    if (r.blockStop !== undefined) this.openBlocks.delete(r.blockStop);
    if (r.sequence !== undefined) this.sequence = Math.max(this.sequence, r.sequence);
    if (r.response !== undefined) this.response = r.response;
  }

  /** OpenAI chat (`delta.content`, and `reasoning_content`/`reasoning`) or legacy completions (`text`). */
  private choiceChunk(json: Json, choices: unknown[]): Reading {
    if (this.id === undefined && typeof json.id === 'string' && json.id !== '') {
      this.id = json.id;
      if (typeof json.model === 'string') this.model = json.model;
      if (typeof json.created === 'number') this.created = json.created;
    }
    const r: Reading = { deltas: [] };
    choices.forEach((choice, position) => {
      if (!isJson(choice)) return;
      const index = typeof choice.index === 'number' ? choice.index : position;
      this.choices.add(index);
      if (choice.finish_reason != null) {
        (r.finished ??= []).push(index);
        r.ends = [...(r.ends ?? []), `c${index}`, `r${index}`];
      }
      const delta = choice.delta;
      if (isJson(delta)) {
        this.format ??= 'chat';
        text(r, `c${index}`, delta.content);
        text(r, `r${index}`, delta.reasoning_content ?? delta.reasoning);
      } else if (typeof choice.text === 'string') {
        this.format ??= 'completion';
        text(r, `c${index}`, choice.text);
      }
    });
    return r;
  }

  /** Responses: `response.output_text.delta`, and reasoning text and summaries kept as their own streams. */
  private responses(type: string, json: Json): Reading {
    this.format ??= 'responses';
    const r: Reading = { deltas: [] };
    if (typeof json.sequence_number === 'number') r.sequence = json.sequence_number;
    if (isJson(json.response)) r.response = json.response;
    const at = `${String(json.output_index)}:${String(json.content_index ?? json.summary_index)}`;
    const dot = type.lastIndexOf('.');
    const kind = RESPONSES_TEXT[type.slice(0, dot)];
    if (kind !== undefined && type.endsWith('.delta')) text(r, kind + at, json.delta);
    else if (kind !== undefined && type.endsWith('.done')) r.ends = [kind + at];
    return r;
  }

  /** Anthropic: `text_delta` and `thinking_delta` of a content block, and which blocks are open. */
  private anthropic(type: string, json: Json): Reading {
    this.format ??= 'anthropic';
    const r: Reading = { deltas: [] };
    const index = typeof json.index === 'number' ? json.index : 0;
    if (type === 'content_block_start') {
      r.blockStart = index;
      if (isJson(json.content_block)) text(r, `b${index}`, json.content_block.text);
    } else if (type === 'content_block_stop') {
      r.blockStop = index;
      r.ends = [`b${index}`];
    } else if (type === 'content_block_delta' && isJson(json.delta)) {
      const d = json.delta;
      text(
        r,
        `b${index}`,
        d.type === 'text_delta' ? d.text : d.type === 'thinking_delta' ? d.thinking : undefined,
      );
    }
    return r;
  }
}

function text(r: Reading, key: string, value: unknown): void {
  if (typeof value === 'string' && value !== '') r.deltas.push({ key, text: value });
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
