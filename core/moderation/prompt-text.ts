/**
 * The caller's text in a generation request, for moderation before anything goes upstream.
 *
 * Every message counts, whatever its role. The caller writes the whole body: a `system`, `tool` or even
 * `assistant` turn is as much the caller's text as a `user` turn (forged assistant turns and prefills are a
 * common jailbreak), and the model reads all of them. Names, ids, tool call arguments, images and token-id
 * prompts are not text a person reads and are left out.
 *
 * The body is parsed JSON from a stranger: every field is checked for its type before use, nothing recurses
 * deeper than the formats nest (so no nesting can exhaust the stack), and no shape makes it throw.
 */

import { decodedOrAsIs, withoutDoubleEncoding } from '../uri-decode';

type Extract = (body: Record<string, unknown>, out: string[]) => void;

/** API paths by how they end, so a route prefix (`/claude/v1/messages`) or Azure's deployments still match. */
const ENDINGS: ReadonlyArray<readonly [string, Extract]> = [
  ['/chat/completions', chat],
  ['/completions', completions],
  ['/responses', responses],
  ['/v1/messages', anthropic],
];

/**
 * The text to check for a request to `path` (query allowed) with the parsed JSON `body`, parts joined with
 * "\n"; '' when a checked API's body holds no text; undefined for any other path, which is not checked.
 */
export function promptText(path: string, body: unknown): string | undefined {
  const extract = extractorFor(path);
  if (extract === undefined) return undefined;
  const out: string[] = [];
  if (isRecord(body)) extract(body, out);
  return out.join('\n');
}

/** Is a request to `target` one whose body promptText reads? */
export function isPromptPath(target: string): boolean {
  return extractorFor(target) !== undefined;
}

function extractorFor(target: string): Extract | undefined {
  const path = routedPath(target);
  for (const [ending, extract] of ENDINGS) if (path.endsWith(ending)) return extract;
  return undefined;
}

/**
 * The path as the most lenient upstream would route it, so that no spelling of a checked API slips past:
 * without query or fragment, `%25` decoded first (a double-decoding gateway), percent-decoded, lower-case,
 * `\` as `/`, each segment without its `;` parameters (servlet containers drop them), and dot segments
 * resolved (`/v1/chat/x/../completions` is chat completions), as core/edge/request-target.ts reads a path.
 */
function routedPath(target: string): string {
  const end = target.search(/[?#]/);
  const path = withoutDoubleEncoding(end === -1 ? target : target.slice(0, end));
  const segments: string[] = [];
  // A malformed escape is matched as sent.
  for (const raw of decodedOrAsIs(path).toLowerCase().replace(/\\/g, '/').split('/')) {
    const segment = raw.split(';', 1)[0]!;
    if (segment === '..') segments.pop();
    else if (segment !== '.' && segment !== '') segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

/** OpenAI chat completions: `messages[].content`, a string or parts of type `text`. */
function chat(body: Record<string, unknown>, out: string[]): void {
  for (const message of records(body.messages)) parts(message.content, out);
}

/** OpenAI legacy completions: `prompt` (string or strings; token ids are not text) and `suffix`. */
function completions(body: Record<string, unknown>, out: string[]): void {
  strings(body.prompt, out);
  text(body.suffix, out);
}

/**
 * OpenAI Responses: `instructions`, then `input` as a string or items: messages (`content` a string or parts
 * `input_text`/`output_text`) and tool outputs (`output` a string or parts).
 */
function responses(body: Record<string, unknown>, out: string[]): void {
  text(body.instructions, out);
  if (typeof body.input === 'string') return text(body.input, out);
  for (const item of records(body.input)) {
    parts(item.content, out);
    parts(item.output, out);
  }
}

/** Anthropic messages: `system` and `messages[].content`, strings or `text` blocks, tool results included. */
function anthropic(body: Record<string, unknown>, out: string[]): void {
  parts(body.system, out);
  for (const message of records(body.messages)) {
    if (typeof message.content === 'string') text(message.content, out);
    for (const block of records(message.content)) {
      if (block.type === 'tool_result') parts(block.content, out);
      else part(block, out);
    }
  }
}

/** Content as the APIs write it: a string, or an array of parts whose text is read by `part`. */
function parts(content: unknown, out: string[]): void {
  if (typeof content === 'string') return text(content, out);
  for (const p of records(content)) part(p, out);
}

/** The text of one content part: `text` (chat, Anthropic), `input_text` or `output_text` (Responses). */
function part(p: Record<string, unknown>, out: string[]): void {
  if (p.type === 'text' || p.type === 'input_text' || p.type === 'output_text') text(p.text, out);
}

function strings(value: unknown, out: string[]): void {
  if (typeof value === 'string') return text(value, out);
  if (Array.isArray(value)) for (const v of value) text(v, out);
}

function text(value: unknown, out: string[]): void {
  if (typeof value === 'string' && value !== '') out.push(value);
}

/** The objects in `value` when it is an array; nothing otherwise. */
function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
