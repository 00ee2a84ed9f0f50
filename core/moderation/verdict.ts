import type { KeyEvent } from '../upstream/key-pool';

/**
 * What a moderation service says about a text: `pass`, `review` (a human should look; blocked only when the
 * operator asks for the strict level) or `block`.
 */
export type Verdict = 'pass' | 'review' | 'block';

/**
 * Checks one text. The signal is aborted when the answer the text belongs to is abandoned (client gone, or an
 * earlier sentence blocked): the check's promise then rejects with `moderation_aborted`.
 */
export type Check = (text: string, signal?: AbortSignal) => Promise<Verdict>;

const RANK: Record<Verdict, number> = { pass: 0, review: 1, block: 2 };

/** The more severe of two verdicts (block > review > pass): several texts checked give the worst one's. */
export function worst(a: Verdict, b: Verdict): Verdict {
  return RANK[b] > RANK[a] ? b : a;
}

/**
 * Why a check gave no verdict. Each is its own code, so a caller can choose per cause whether to fail open
 * or closed, and a log line can say which it was:
 * - `moderation_unavailable`: no answer at all (connection refused, reset or closed; no credentials);
 * - `moderation_bad_status`: an HTTP status other than 200;
 * - `moderation_malformed`: a 200 whose body is not the service's JSON, or holds no known verdict;
 * - `moderation_error`: the service answered with an error of its own (`serviceCode` says which);
 * - `moderation_timeout`: no complete answer within the time allowed;
 * - `moderation_aborted`: the caller gave up (its signal fired).
 */
export type ModerationFailureCode =
  | 'moderation_unavailable'
  | 'moderation_bad_status'
  | 'moderation_malformed'
  | 'moderation_error'
  | 'moderation_timeout'
  | 'moderation_aborted';

/** Extra facts about a failure. None of them is the checked text or a credential. */
export interface ModerationFailureDetail {
  /** The HTTP status, for `moderation_bad_status`. */
  httpStatus?: number;
  /** The service's own error code, e.g. `AuthFailure.SignatureFailure`, for `moderation_error`. */
  serviceCode?: string;
  /** The service's request id, when it gave one: what its support asks for. */
  requestId?: string;
}

/**
 * A check that gave no verdict. `code` is stable; `message` names the cause but never holds the checked
 * text, a credential, or the service's own error message (which may quote the request back).
 */
export class ModerationFailure extends Error {
  readonly httpStatus?: number;
  readonly serviceCode?: string;
  readonly requestId?: string;
  /** What the failure did to the pool key the check used (OpenAI's endpoint): logged beside it. */
  keyEvent?: KeyEvent;

  constructor(
    readonly code: ModerationFailureCode,
    message: string,
    detail: ModerationFailureDetail = {},
  ) {
    super(message);
    this.name = 'ModerationFailure';
    if (detail.httpStatus !== undefined) this.httpStatus = detail.httpStatus;
    if (detail.serviceCode !== undefined) this.serviceCode = detail.serviceCode;
    if (detail.requestId !== undefined) this.requestId = detail.requestId;
  }
}
