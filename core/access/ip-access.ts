import { OxyError, sendError } from '../errors';
import type { Logger } from '../logger';
import type { Step } from '../step';
import { trustedAddress } from './client-ip';
import type { IpList } from './ip-list';

export interface IpAccessOptions {
  allow?: IpList;
  deny?: IpList;
  /** Header the platform sets with the caller's address (e.g. `x-scf-remote-addr`); else the socket's peer. */
  clientIpHeader?: string;
  /** Where the first request without an address in that header is reported (once per step). */
  log?: Logger;
}

/** One instance for every refusal (sendError only reads it); the address never goes into the answer. */
const REFUSAL = new OxyError(
  'ip_not_allowed',
  'Requests from this address are not allowed.',
  403,
  'permission_error',
);

/** The warning's words: what happened, why it matters on a platform, and where the README says more. */
const MISSING_HEADER =
  "The IP lists judged this request by the connection's peer, since the trusted header held no address: " +
  'on a platform, that peer is its frontend for every caller. See README, "IP allow and deny lists". ' +
  'Reported for the first such request only.';

/**
 * Refuses callers by address with 403 in OpenAI's shape, before anything is forwarded. Deny wins over
 * allow; with an allow list, only its addresses pass. With either list set, a caller whose address is
 * unknown is refused (failing closed). A list without entries counts as not set (`OXY_IP_ALLOW=` means
 * unset, not "refuse everyone"); with neither set, the step does nothing.
 */
export function ipAccess(options: IpAccessOptions): Step {
  const allow = options.allow?.entries.length ? options.allow : undefined;
  const deny = options.deny?.entries.length ? options.deny : undefined;
  if (!allow && !deny) return () => false;
  const header = options.clientIpHeader?.toLowerCase();
  const { log } = options;
  let reported = false;
  return (req, res) => {
    const fromHeader = header === undefined ? undefined : trustedAddress(req, header);
    const peer = req.socket.remoteAddress || undefined;
    // Neither platform documents its client-address header for web functions (PLATFORMS.md). Without it,
    // the peer is the platform's own frontend: every caller looks alike, so an allow list refuses them
    // all and a deny list matches none. The operator must see that in the logs, not find it by chance.
    if (header !== undefined && fromHeader === undefined && !reported && log !== undefined) {
      reported = true;
      log('warn', 'client_ip_header_missing', {
        header,
        peer,
        message: MISSING_HEADER,
      });
    }
    const address = fromHeader ?? peer;
    const allowed =
      address !== undefined && !(deny?.check(address) ?? false) && (allow?.check(address) ?? true);
    if (allowed) return false;
    sendError(res, REFUSAL);
    return true;
  };
}
