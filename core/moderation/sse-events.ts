const LF = 0x0a;
const CR = 0x0d;

/**
 * Cuts a server-sent event stream into whole events, however it was chunked: each event is the exact bytes
 * received, up to and including the blank line that ends it (LF, CRLF or CR line ends, mixed or not).
 * Events are cut at ASCII line ends, so a UTF-8 character is never split and the bytes can go out as they
 * came, never decoded and re-encoded. A partial event waits for the next chunk; `end()` gives what is left.
 */
export class SseEvents {
  /** The bytes of the event not yet finished, as received: joined once, when it ends. */
  private held: Buffer[] = [];
  /** Nothing yet on the current line (so a line end now ends the event). */
  private lineEmpty = true;
  /** The last byte was a CR whose LF may come first in the next chunk; `crEndsEvent`: its line was empty. */
  private pendingCr = false;
  private crEndsEvent = false;

  /**
   * The events that `chunk` completes, in order. Each byte is read once, whatever the chunking: an event sent
   * in many chunks is not rescanned from its start at each (a scan per chunk made an 8 MB event cost 9 s).
   */
  push(chunk: Buffer): Buffer[] {
    const events: Buffer[] = [];
    if (chunk.length === 0) return events;
    let start = 0;
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      i = chunk[0] === LF ? 1 : 0;
      if (this.crEndsEvent) {
        events.push(this.take(chunk, 0, i));
        start = i;
      }
      this.lineEmpty = true;
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i];
      if (b !== LF && b !== CR) {
        this.lineEmpty = false;
        continue;
      }
      let next = i + 1;
      if (b === CR) {
        if (next === chunk.length) {
          // A CR LF may be cut between chunks: the next chunk says where this line end stops.
          this.pendingCr = true;
          this.crEndsEvent = this.lineEmpty;
          break;
        }
        if (chunk[next] === LF) next++;
      }
      if (this.lineEmpty) {
        events.push(this.take(chunk, start, next));
        start = next;
      }
      this.lineEmpty = true;
      i = next - 1;
    }
    if (start < chunk.length) this.held.push(chunk.subarray(start));
    return events;
  }

  /** The bytes of an event the stream never finished, at its end. */
  end(): Buffer | undefined {
    const rest = this.held.length === 0 ? undefined : Buffer.concat(this.held);
    this.held = [];
    this.lineEmpty = true;
    this.pendingCr = false;
    return rest;
  }

  /** The event that ends at `end` of `chunk`: the bytes held, then `chunk` from `start`. */
  private take(chunk: Buffer, start: number, end: number): Buffer {
    const tail = chunk.subarray(start, end);
    if (this.held.length === 0) return tail;
    const event = Buffer.concat([...this.held, tail]);
    this.held = [];
    return event;
  }
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
