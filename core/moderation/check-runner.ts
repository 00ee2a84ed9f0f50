import type { Check, Verdict } from './verdict';

/** A sentence whose events are held until it passes. */
export interface Sentence {
  passed: boolean;
  /** Why it was refused: the answer ends where its first event would have gone out. */
  blocked?: Outcome;
}

/** How one check ended: with a verdict, or with the failure the check rejected with. */
export type Outcome = { text: string; verdict: Verdict } | { text: string; error: unknown };

interface Job {
  sentences: Sentence[];
  text: string;
}

/**
 * Runs the checks of an answer's sentences, at most `limit` at a time so one fast answer cannot flood the
 * moderation service. Sentences that wait for a free slot are merged into one check (up to `maxText`
 * characters): when the service is the bottleneck, fewer and longer calls catch up. Verdicts may arrive
 * out of order; the caller releases text in order. `stop()` aborts the checks in flight and forgets the rest.
 */
export class CheckRunner {
  private readonly waiting: Job[] = [];
  private readonly running = new Set<AbortController>();
  private stopped = false;

  constructor(
    private readonly check: Check,
    private readonly limit: number,
    private readonly maxText: number,
    private readonly settled: (sentences: Sentence[], outcome: Outcome) => void,
  ) {}

  add(sentence: Sentence, text: string): void {
    if (this.stopped) return;
    if (this.running.size < this.limit) return this.start({ sentences: [sentence], text });
    const last = this.waiting[this.waiting.length - 1];
    if (last !== undefined && last.text.length + text.length <= this.maxText) {
      last.sentences.push(sentence);
      last.text += text;
    } else {
      this.waiting.push({ sentences: [sentence], text });
    }
  }

  /** True while a check runs or waits. */
  get busy(): boolean {
    return this.running.size > 0 || this.waiting.length > 0;
  }

  stop(): void {
    this.stopped = true;
    this.waiting.length = 0;
    for (const controller of this.running) controller.abort();
    this.running.clear();
  }

  private start(job: Job): void {
    const controller = new AbortController();
    this.running.add(controller);
    let verdict: Promise<Verdict>;
    try {
      verdict = Promise.resolve(this.check(job.text, controller.signal));
    } catch (error) {
      verdict = Promise.reject(error);
    }
    verdict.then(
      (v) => this.finish(controller, job, { text: job.text, verdict: v }),
      (error: unknown) => this.finish(controller, job, { text: job.text, error }),
    );
  }

  private finish(controller: AbortController, job: Job, outcome: Outcome): void {
    if (this.stopped) return;
    this.running.delete(controller);
    this.settled(job.sentences, outcome);
    const next = this.waiting.shift();
    if (next !== undefined && !this.stopped) this.start(next);
  }
}
