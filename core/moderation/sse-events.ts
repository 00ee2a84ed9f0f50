const LF = 0x0a;
const CR = 0x0d;

/**
 * Cuts a server-sent event stream into whole events, however it was chunked: each event is the exact bytes
 * received, up to and including the blank line that ends it (LF, CRLF or CR line ends, mixed or not).
 * Events are cut at ASCII line ends, so a UTF-8 character is never split and the bytes can go out as they
 * came, never decoded and re-encoded. A partial event waits for the next chunk; `end()` gives what is left.
 */
export class SseEvents {
  private rest: Buffer | undefined;

  /** The events that `chunk` completes, in order. */
  push(chunk: Buffer): Buffer[] {
    const buf = this.rest === undefined ? chunk : Buffer.concat([this.rest, chunk]);
    const events: Buffer[] = [];
    let start = 0;
    for (let end = eventEnd(buf, 0); end !== -1; end = eventEnd(buf, start)) {
      events.push(buf.subarray(start, end));
      start = end;
    }
    this.rest = start === buf.length ? undefined : buf.subarray(start);
    return events;
  }

  /** The bytes of an event the stream never finished, at its end. */
  end(): Buffer | undefined {
    const rest = this.rest;
    this.rest = undefined;
    return rest;
  }
}

/** The index just past the blank line that ends the event starting at `from`, or -1 when it has not come. */
function eventEnd(buf: Buffer, from: number): number {
  let lineStart = from;
  for (let i = from; i < buf.length; i++) {
    const b = buf[i];
    if (b !== LF && b !== CR) continue;
    let next = i + 1;
    if (b === CR) {
      if (next === buf.length) return -1; // a CR LF may be cut between chunks
      if (buf[next] === LF) next++;
    }
    if (i === lineStart) return next;
    lineStart = next;
    i = next - 1;
  }
  return -1;
}

/** The fields of one event that say what it carries. */
export interface SseFields {
  /** The `event:` field, when there is one. */
  event: string | undefined;
  /** The `data:` lines joined with "\n", when there are any. */
  data: string | undefined;
}

/** Reads the `event` and `data` fields of one event, as the SSE specification does. */
export function sseFields(raw: Buffer): SseFields {
  let event: string | undefined;
  let data: string | undefined;
  for (const line of raw.toString('utf8').split(/\r\n|\r|\n/)) {
    const colon = line.indexOf(':');
    if (colon === 0 || line === '') continue; // a comment, or the blank line
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    if (name === 'data') data = data === undefined ? value : `${data}\n${value}`;
    else if (name === 'event') event = value;
  }
  return { event, data };
}
