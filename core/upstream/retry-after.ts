import type { IncomingHttpHeaders } from 'node:http';

/**
 * How long an upstream asks to wait, in ms: `retry-after-ms` (OpenAI, Azure) where sent, else
 * `Retry-After` as seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when neither says.
 */
export function retryAfterMs(headers: IncomingHttpHeaders, now: number = Date.now()): number | undefined {
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = headers['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // An HTTP date starts with the day's name; Date.parse would also take "-1" or "2026" as dates.
  const date = /^[A-Za-z]/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
