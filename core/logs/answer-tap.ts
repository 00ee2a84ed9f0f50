import type { IncomingMessage } from 'node:http';
import type { UpstreamAnswer } from '../step';
import { topLevelUsage, usageOf } from './usage-json';

/** JSON answers larger than this are not read for their usage. */
const JSON_LIMIT = 1024 * 1024;
/** An error answer's first bytes, read for a region refusal. */
const ERROR_LIMIT = 8 * 1024;

/** How providers say the function runs in a region they do not serve. */
const REGION_REFUSAL =
  /unsupported_country_region_territory|User location is not supported|not available in your (?:country|region)|unsupported_country/i;

/**
 * Watches an upstream answer as it is piped to the client, never holding back a chunk: counts its bytes,
 * keeps the token usage it reports (a JSON answer's `usage`, an SSE stream's last chunk that has one) and
 * notices a refusal of the function's region. A compressed body is counted only: decompressing every
 * answer to read its usage would cost more than it tells.
 */
export function tapAnswer(
  proxyRes: IncomingMessage,
  answer: UpstreamAnswer,
  onRegionRefused: () => void,
): void {
  const plain = proxyRes.headers['content-encoding'] === undefined;
  const status = proxyRes.statusCode ?? 0;
  const json = plain && !answer.stream && /json/i.test(proxyRes.headers['content-type'] ?? '');
  const readError = plain && status >= 400 && status < 500;
  const limit = json ? JSON_LIMIT : ERROR_LIMIT;
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let overflow = !json && !readError;
  let lastUsageLine: string | undefined;
  let tail = '';
  proxyRes.on('data', (chunk: Buffer) => {
    answer.bytesOut += chunk.length;
    if (answer.stream && plain) {
      // Only chunks that mention usage are split into lines; a line may straddle two chunks.
      const text = chunk.toString('utf8');
      if ((tail.slice(-16) + text).includes('sage')) {
        const lines = (tail + text).split('\n');
        tail = lines.pop() ?? '';
        for (const line of lines)
          if (line.startsWith('data:') && line.includes('"usage')) lastUsageLine = line;
      } else {
        const nl = text.lastIndexOf('\n');
        tail = nl === -1 ? tail + text : text.slice(nl + 1);
      }
      if (tail.length > JSON_LIMIT) tail = '';
    } else if (!overflow) {
      kept.push(chunk);
      keptBytes += chunk.length;
      overflow = keptBytes > limit;
    }
  });
  proxyRes.on('end', () => {
    if (kept.length > 0) {
      const body = kept.length === 1 ? kept[0]! : Buffer.concat(kept);
      if (readError && REGION_REFUSAL.test(body.toString('utf8', 0, ERROR_LIMIT))) onRegionRefused();
      if (json && !overflow) answer.usage = usageOf(body);
    }
    if (lastUsageLine !== undefined) answer.usage = topLevelUsage(lastUsageLine.slice(5));
  });
}
