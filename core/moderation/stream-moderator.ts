import { Transform, type TransformCallback } from 'node:stream';
import { contentFilterEnding } from './answer-ending';
import { AnswerFormat, type Delta, type Reading } from './answer-format';
import type { Check, Verdict } from './verdict';
import { CheckRunner, type Outcome, type Sentence } from './check-runner';
import { Sentences, hasWords } from './sentences';
import { SseEvents, sseFields } from './sse-events';

export type { Outcome } from './check-runner';

export interface StreamModeratorOptions {
  check: Check;
  /** Verdicts that end the answer; `{'block'}` by default, `{'review', 'block'}` for the strict level. */
  blockOn?: ReadonlySet<Verdict>;
  /** Called once, after the ending went out: the caller aborts the upstream request. */
  onBlocked: (cause: Outcome) => void;
  /** A check that rejected: 'pass' fails open, 'block' fails closed. A throw counts as 'block'. */
  onCheckFailure: (error: unknown) => 'pass' | 'block';
  /** Text held without a sentence end is checked as it is once this long (characters). Default 2000. */
  maxSentenceLength?: number;
  /** Checks in flight at once; sentences waiting for a slot are merged into one check. Default 4. */
  concurrency?: number;
  /** Held bytes above which the upstream is paused while checks are in flight. Default 1 MiB. */
  maxHeldBytes?: number;
}

interface Held {
  raw: Buffer;
  /** The sentences holding some of this event's text; it goes out once they have all passed. */
  needs: Sentence[] | undefined;
  /** What the ending must know once this event has reached the client (a finish, an open block). */
  reading: Reading | undefined;
}

interface TextStream {
  split: Sentences;
  /** The sentence the unchecked tail belongs to. */
  open: Sentence | undefined;
}

/**
 * Moderates a streamed answer sentence by sentence as it passes from the upstream to the client.
 *
 * SSE events are cut out of the bytes however they are chunked (`SseEvents`) and read for their text
 * (`AnswerFormat`). An event whose text lies in a sentence not yet passed is held; every later event waits
 * behind it, so the order never changes, and events go out byte for byte as received once their sentences
 * have passed. Events without text pass at once when nothing is held. Only the unfinished sentence is
 * held back: a sentence is checked as soon as it is complete, up to `concurrency` checks at a time. An
 * unfinished tail is checked when its text stream ends (a `finish_reason`, `content_block_stop`,
 * `response.output_text.done`), and every tail at `[DONE]` or the end of the input.
 *
 * A sentence whose verdict is in `blockOn` drops everything held, writes the format's content-filter ending
 * (`contentFilterEnding`), ends the readable side, stops the other checks and calls `onBlocked`. What the
 * upstream writes after that is discarded. Destroying the stream aborts the checks in flight.
 */
export function moderateStream(options: StreamModeratorOptions): Transform {
  return new StreamModerator(options).stream;
}

/** The moderator's state, kept off the Transform so no name can clash with a stream's own members. */
class StreamModerator {
  readonly stream: Transform;
  private readonly events = new SseEvents();
  private readonly format = new AnswerFormat();
  private readonly streams = new Map<string, TextStream>();
  private readonly runner: CheckRunner;
  private readonly blockOn: ReadonlySet<Verdict>;
  private readonly maxSentence: number;
  private readonly maxHeld: number;
  private held: Held[] = [];
  private head = 0;
  private heldBytes = 0;
  private blocked = false;
  /** The callback of a write paused until checks catch up, and of the end, once everything is out. */
  private paused: TransformCallback | undefined;
  private ending: TransformCallback | undefined;

  constructor(private readonly options: StreamModeratorOptions) {
    this.stream = new Transform({
      transform: (chunk: Buffer, _encoding, done) => this.transform(chunk, done),
      flush: (done) => this.flush(done),
      destroy: (error, done) => {
        this.runner.stop();
        this.held = [];
        done(error);
      },
    });
    this.blockOn = options.blockOn ?? new Set<Verdict>(['block']);
    this.maxSentence = options.maxSentenceLength ?? 2000;
    this.maxHeld = options.maxHeldBytes ?? 1024 * 1024;
    this.runner = new CheckRunner(options.check, options.concurrency ?? 4, this.maxSentence, (s, o) =>
      this.settled(s, o),
    );
  }

  private transform(chunk: Buffer, done: TransformCallback): void {
    if (this.blocked) return done();
    for (const raw of this.events.push(chunk)) this.take(raw);
    this.release();
    if (this.heldBytes > this.maxHeld && this.runner.busy) this.paused = done;
    else done();
  }

  private flush(done: TransformCallback): void {
    if (this.blocked) return done();
    const last = this.events.end();
    if (last !== undefined) this.take(last);
    for (const stream of this.streams.values()) this.endTail(stream);
    this.ending = done;
    this.release();
  }

  /** Reads one event, feeds its text to the splitters and queues it. */
  private take(raw: Buffer): void {
    const reading = this.format.read(sseFields(raw));
    let needs: Sentence[] | undefined;
    if (reading !== undefined) {
      for (const delta of reading.deltas) needs = this.feed(delta, needs ?? []);
      for (const key of reading.ends ?? []) this.endTail(this.streams.get(key));
      if (reading.done === true) for (const stream of this.streams.values()) this.endTail(stream);
    }
    this.held.push({ raw, needs, reading });
    this.heldBytes += raw.length;
  }

  private feed(delta: Delta, needs: Sentence[]): Sentence[] {
    let stream = this.streams.get(delta.key);
    if (stream === undefined) {
      stream = { split: new Sentences(this.maxSentence), open: undefined };
      this.streams.set(delta.key, stream);
    }
    for (const sentence of stream.split.push(delta.text)) {
      const s = stream.open ?? { passed: false };
      stream.open = undefined;
      needs.push(s);
      this.submit(s, sentence);
    }
    if (stream.split.pending) {
      stream.open ??= { passed: false };
      needs.push(stream.open);
    }
    return needs;
  }

  /** No more text comes to this stream: its unfinished sentence is checked as it is. */
  private endTail(stream: TextStream | undefined): void {
    if (stream?.open === undefined) return;
    this.submit(stream.open, stream.split.rest());
    stream.open = undefined;
  }

  private submit(sentence: Sentence, text: string): void {
    if (hasWords(text)) this.runner.add(sentence, text);
    else sentence.passed = true;
  }

  private settled(sentences: Sentence[], outcome: Outcome): void {
    if (this.blocked || this.stream.destroyed) return;
    try {
      // A refused sentence ends the answer only once everything before it has been decided: text that
      // passed is not lost to a later sentence's verdict arriving first.
      if (this.blocks(outcome)) for (const s of sentences) s.blocked = outcome;
      else for (const s of sentences) s.passed = true;
      this.release();
    } catch (error) {
      this.stream.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private blocks(outcome: Outcome): boolean {
    if ('verdict' in outcome) return this.blockOn.has(outcome.verdict);
    try {
      return this.options.onCheckFailure(outcome.error) !== 'pass';
    } catch {
      return true;
    }
  }

  /**
   * Writes out the held events, from the oldest, up to the first one still waiting for a verdict; blocks the
   * answer there if that event holds a refused sentence.
   */
  private release(): void {
    const out: Buffer[] = [];
    let refused: Outcome | undefined;
    for (; this.head < this.held.length; this.head++) {
      const h = this.held[this.head] as Held;
      refused = h.needs?.find((s) => s.blocked !== undefined)?.blocked;
      if (refused !== undefined) break;
      if (h.needs !== undefined && !h.needs.every((s) => s.passed)) break;
      out.push(h.raw);
      this.heldBytes -= h.raw.length;
      if (h.reading !== undefined) this.format.written(h.reading);
    }
    if (this.head === this.held.length || this.head > 1024) {
      this.held = this.held.slice(this.head);
      this.head = 0;
    }
    if (out.length > 0) this.stream.push(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
    if (refused !== undefined) return this.block(refused);
    if (this.paused !== undefined && !(this.heldBytes > this.maxHeld && this.runner.busy))
      this.callBack('paused');
    if (this.ending !== undefined && this.held.length === 0) this.callBack('ending');
  }

  private block(cause: Outcome): void {
    this.blocked = true;
    this.runner.stop();
    this.held = [];
    this.head = 0;
    this.heldBytes = 0;
    const ending = contentFilterEnding(this.format);
    if (ending !== '') this.stream.push(Buffer.from(ending, 'utf8'));
    this.stream.push(null);
    this.callBack('paused');
    this.callBack('ending');
    this.options.onBlocked(cause);
  }

  private callBack(which: 'paused' | 'ending'): void {
    const done = this[which];
    this[which] = undefined;
    done?.();
  }
}
