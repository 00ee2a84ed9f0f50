import { escapesRoot, pathOutsideBase } from '../edge/request-target';
import { sendError } from '../errors';
import type { Step } from '../step';
import type { Route } from './route';
import { STAGE_PREFIXES } from './route-table';

/** `/release`, `/test` or `/prepub` as the first whole segment. */
const STAGE = new RegExp(`^(?:${STAGE_PREFIXES.join('|')})(?=/|\\?|$)`);

/**
 * Picks the upstream for a request: the route whose prefix is the longest match of whole path segments,
 * else the default target. A stage prefix pasted from a retired API Gateway URL is dropped first. The
 * prefixes are the only rewrite; the rest of the target goes upstream exactly as sent.
 */
export function routeSelect(routes: readonly Route[], fallback: Route): Step {
  const byLength = [...routes].sort((a, b) => b.prefix.length - a.prefix.length);
  return (req, res, ex) => {
    let target = req.url ?? '/';
    const stage = STAGE.exec(target);
    if (stage) target = target.slice(stage[0].length) || '/';
    let route = fallback;
    for (const r of byLength) {
      if (target.startsWith(r.prefix) && /^(?:[/?]|$)/.test(target.charAt(r.prefix.length))) {
        route = r;
        target = target.slice(r.prefix.length);
        break;
      }
    }
    if (target === '' || target.charAt(0) === '?') target = `/${target}`;
    // Stripping moved the root: /claude/../x was under `/`, but `/../x` is not under the route's base path.
    if (route !== fallback || stage) {
      const query = target.indexOf('?');
      if (escapesRoot(query === -1 ? target : target.slice(0, query))) {
        sendError(res, pathOutsideBase);
        return true;
      }
    }
    ex.route = route;
    ex.path = route.basePath + target;
    return false;
  };
}
