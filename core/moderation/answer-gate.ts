import type { Transform } from 'node:stream';
import type { Logger } from '../logger';
import type { Exchange } from '../step';
import { logFailure } from './prompt-gate';
import { moderateStream } from './stream-moderator';
import type { Check, Verdict } from './verdict';

export interface AnswerGateOptions {
  check: Check;
  blockOn: ReadonlySet<Verdict>;
  failOpen: boolean;
  service: string;
  log: Logger;
}

/**
 * Builds the filter a streamed answer passes through on its way to the client (stream-moderator.ts): a
 * blocked sentence ends the stream the way the provider ends a filtered one, and the upstream request is
 * aborted so that no more tokens are generated (and billed). A check that fails passes the sentence when
 * failing open, and ends the stream as filtered when failing closed.
 */
export function answerGate(options: AnswerGateOptions) {
  const { check, blockOn, failOpen, service, log } = options;
  return (ex: Exchange, abortUpstream: () => void): Transform =>
    moderateStream({
      check,
      blockOn,
      onBlocked: (cause) => {
        const verdict = 'verdict' in cause ? cause.verdict : 'unchecked';
        log('info', 'moderation_blocked', { id: ex.id, service, part: 'answer', verdict });
        abortUpstream();
      },
      onCheckFailure: (err) => {
        logFailure(log, ex, service, 'answer', failOpen, err);
        return failOpen ? 'pass' : 'block';
      },
    });
}
