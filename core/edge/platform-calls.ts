import { sendError } from '../errors';
import type { Platform } from '../platform';
import { stampOwnAnswer } from './request-id';
import type { Step } from '../step';

/** The platform's own calls (FC lifecycle hooks): answered or refused here, never forwarded. */
export function platformCalls(platform: Platform): Step {
  const { localAnswer } = platform;
  return (req, res) => {
    const answer = localAnswer?.(req);
    if (answer === undefined) return false;
    stampOwnAnswer(res);
    if (answer === 200) res.writeHead(200, { 'content-length': 0 }).end();
    else sendError(res, answer);
    return true;
  };
}
