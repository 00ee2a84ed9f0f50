import type { IncomingMessage, ServerResponse } from 'node:http';
import { OxyError, sendError } from '../errors';
import type { Logger } from '../logger';
import type { Exchange } from '../step';
import { logKeyEvent } from '../upstream/failover';
import { JSON_VALUE_LIMIT, jsonValuesOver } from './json-values';
import { isPromptPath, promptText } from './prompt-text';
import { hasWords } from './sentences';
import type { Check, ModerationFailure, Verdict } from './verdict';

export interface PromptGateOptions {
  /** Checks a text of any length (split into the parts the service takes). */
  check: Check;
  blockOn: ReadonlySet<Verdict>;
  failOpen: boolean;
  /** Larger bodies are refused with 413: the platform would refuse them anyway. */
  bodyLimit: number;
  service: string;
  log: Logger;
}

/** Sends the request on, with its body when the gate has read it. */
export type Forward = (body?: Buffer) => void;

/**
 * Holds a generation request (chat completions, completions, responses, Anthropic messages) until the
 * caller's text in it has been checked; every other request goes on at once, its body streaming. The body
 * is read whole (it has to be, to be parsed), up to the platform's own limit, and forwarded as read.
 */
export function promptGate(options: PromptGateOptions) {
  const { check, blockOn, failOpen, bodyLimit, service, log } = options;
  return (req: IncomingMessage, res: ServerResponse, ex: Exchange, forward: Forward): void => {
    if (req.method !== 'POST' || !isPromptPath(ex.path ?? '')) return forward();
    const coding = req.headers['content-encoding'];
    if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') {
      return sendError(
        res,
        refusal(415, 'unsupported_encoding', 'A compressed request body cannot be moderated.'),
      );
    }
    readBody(req, bodyLimit, (body) => {
      if (body === 'too_large') {
        // The rest of the body is not read: the connection cannot carry another request after it.
        res.shouldKeepAlive = false;
        return sendError(
          res,
          refusal(413, 'request_too_large', `The request body is over ${bodyLimit} bytes.`),
        );
      }
      if (body === undefined) return; // the client went away
      if (jsonValuesOver(body)) {
        return sendError(
          res,
          refusal(
            400,
            'request_too_complex',
            `The request body holds more than ${JSON_VALUE_LIMIT} JSON values, too many to moderate.`,
          ),
        );
      }
      let text: string | undefined;
      try {
        text = promptText(ex.path ?? '', JSON.parse(body.toString('utf8')));
      } catch {
        return sendError(res, refusal(400, 'invalid_json', 'The request body is not valid JSON.'));
      }
      if (text === undefined || !hasWords(text)) return forward(body);
      const abort = new AbortController();
      const onClose = (): void => abort.abort();
      res.once('close', onClose);
      check(text, abort.signal).then(
        (verdict) => {
          res.off('close', onClose);
          if (!blockOn.has(verdict)) return forward(body);
          log('info', 'moderation_blocked', { id: ex.id, service, part: 'prompt', verdict });
          sendError(res, filtered());
        },
        (err: unknown) => {
          res.off('close', onClose);
          if (abort.signal.aborted) return;
          logFailure(log, ex, service, 'prompt', failOpen, err);
          if (failOpen) return forward(body);
          sendError(
            res,
            new OxyError('moderation_unavailable', 'The moderation service is unavailable.', 503),
          );
        },
      );
    });
  };
}

/** The refusal of a blocked text: 400 with code `content_filter`, as the providers refuse one. */
export function filtered(): OxyError {
  return refusal(400, 'content_filter', 'The request was refused by content moderation.');
}

function refusal(status: number, code: string, message: string): OxyError {
  return new OxyError(code, message, status, 'invalid_request_error');
}

/** A failed check in the log: its cause and the service's ids, never the text checked. */
export function logFailure(
  log: Logger,
  ex: Exchange,
  service: string,
  part: 'prompt' | 'answer',
  failOpen: boolean,
  err: unknown,
): void {
  const e = err as Partial<ModerationFailure> | undefined;
  log('warn', 'moderation_failed', {
    id: ex.id,
    service,
    part,
    code: typeof e?.code === 'string' ? e.code : 'moderation_error',
    serviceCode: e?.serviceCode,
    httpStatus: e?.httpStatus,
    serviceRequestId: e?.requestId,
    outcome: failOpen ? 'passed unchecked' : 'refused',
  });
  // The key's fate, in the line a proxied request's failover writes.
  logKeyEvent(log, ex, e?.keyEvent);
}

/** Reads the whole body, or says it is over `limit` (then stops reading), or undefined if the client left. */
function readBody(
  req: IncomingMessage,
  limit: number,
  done: (body: Buffer | 'too_large' | undefined) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (value: Buffer | 'too_large' | undefined): void => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    done(value);
  };
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > limit) {
      req.pause();
      return settle('too_large');
    }
    chunks.push(chunk);
  };
  req.on('data', onData);
  req.once('end', () => settle(Buffer.concat(chunks, size)));
  req.once('close', () => settle(undefined));
  req.once('error', () => settle(undefined));
}
