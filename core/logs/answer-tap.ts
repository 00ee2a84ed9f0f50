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
 * Watches an upstream answer as it goes to the client, never holding back a chunk: counts its bytes,
 * keeps the token usage it reports (a JSON answer's `usage`, an SSE stream's last chunk that has one) and
 * notices a refusal of the function's region. A compressed body is counted only: decompressing every
 * answer to read its usage would cost more than it tells. Fed by the relay that writes each chunk
 * (upstream/answer-relay.ts), or by listeners of its own (`tapAnswer`); one object per answer, its
 * methods shared, since it is on every request's path.
 */
export class AnswerTap {
  private readonly plain: boolean;
  private readonly json: boolean;
  private readonly readError: boolean;
  private readonly limit: number;
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private overflow: boolean;
  private lastUsageLine: string | undefined = undefined;
  private tail = '';

  constructor(
    proxyRes: IncomingMessage,
    private readonly answer: UpstreamAnswer,
    private readonly onRegionRefused: () => void,
  ) {
    const { headers } = proxyRes;
    const status = proxyRes.statusCode ?? 0;
    this.plain = headers['content-encoding'] === undefined;
    this.json = this.plain && !answer.stream && /json/i.test(headers['content-type'] ?? '');
    this.readError = this.plain && status >= 400 && status < 500;
    this.limit = this.json ? JSON_LIMIT : ERROR_LIMIT;
    this.overflow = !this.json && !this.readError;
  }

  chunk(chunk: Buffer): void {
    this.answer.bytesOut += chunk.length;
    if (this.answer.stream && this.plain) this.scanLines(chunk);
    else if (!this.overflow) {
      this.kept.push(chunk);
      this.keptBytes += chunk.length;
      this.overflow = this.keptBytes > this.limit;
    }
  }

  end(): void {
    const { kept } = this;
    if (kept.length > 0) {
      const body = kept.length === 1 ? kept[0]! : Buffer.concat(kept);
      if (this.readError && REGION_REFUSAL.test(body.toString('utf8', 0, ERROR_LIMIT)))
        this.onRegionRefused();
      if (this.json && !this.overflow) this.answer.usage = usageOf(body);
    }
    if (this.lastUsageLine !== undefined) this.answer.usage = topLevelUsage(this.lastUsageLine.slice(5));
  }

  /** Only chunks that mention usage are split into lines; a line may straddle two chunks. */
  private scanLines(chunk: Buffer): void {
    const text = chunk.toString('utf8');
    if ((this.tail.slice(-16) + text).includes('sage')) {
      const lines = (this.tail + text).split('\n');
      this.tail = lines.pop() ?? '';
      for (const line of lines)
        if (line.startsWith('data:') && line.includes('"usage')) this.lastUsageLine = line;
    } else {
      const nl = text.lastIndexOf('\n');
      this.tail = nl === -1 ? this.tail + text : text.slice(nl + 1);
    }
    if (this.tail.length > JSON_LIMIT) this.tail = '';
  }
}

/** Taps an answer that is piped elsewhere (through moderation), with listeners of its own. */
export function tapAnswer(proxyRes: IncomingMessage, tap: AnswerTap): void {
  proxyRes.on('data', (chunk: Buffer) => tap.chunk(chunk));
  proxyRes.on('end', () => tap.end());
}
