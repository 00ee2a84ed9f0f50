import type { Platform } from '../platform';
import { stampOwnAnswer } from './request-id';
import type { Step } from '../step';
import { VERSION } from '../version';

/** `GET|HEAD /healthz[?…]`, answered here with oxy's version: a probe that never costs an upstream call. */
export function healthCheck(platform: Platform): Step {
  const body = JSON.stringify({ status: 'ok', version: VERSION, platform: platform.name });
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  return (req, res) => {
    const { method, url = '' } = req;
    if (method !== 'GET' && method !== 'HEAD') return false;
    if (url !== '/healthz' && !url.startsWith('/healthz?')) return false;
    stampOwnAnswer(res);
    res.writeHead(200, headers).end(method === 'HEAD' ? undefined : body);
    return true;
  };
}
