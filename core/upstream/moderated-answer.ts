import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import { OxyError } from '../errors';
import type { Exchange } from '../step';

/** The filter a route's streamed answers pass through when it moderates (moderation/answer-gate.ts). */
export type AnswerFilter = (ex: Exchange, abortUpstream: () => void) => Transform;

/** What moderatedStream needs of an attempt (upstream/proxy.ts). */
interface Moderated {
  ex: Exchange;
  blocked?: boolean;
}

/**
 * Pipes a streamed answer through the route's moderation, which ends it as filtered and aborts the upstream
 * on a blocked sentence. False when the answer cannot be read (compressed despite `accept-encoding:
 * identity`): passing it on unread would let unchecked text through.
 */
export function moderatedStream(
  proxyRes: IncomingMessage,
  res: ServerResponse,
  attempt: Moderated,
  moderate: AnswerFilter,
): boolean {
  const coding = proxyRes.headers['content-encoding'];
  if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') {
    proxyRes.destroy();
    return false;
  }
  const gate = moderate(attempt.ex, () => {
    attempt.blocked = true;
    attempt.ex.upstreamRequest?.destroy();
  });
  // The client gone: checks still in flight are aborted.
  res.once('close', () => gate.destroy());
  proxyRes.pipe(gate).pipe(res);
  return true;
}

export function unreadableStream(): OxyError {
  return new OxyError(
    'moderation_unreadable_answer',
    'The upstream compressed a stream that must be moderated.',
    502,
  );
}
