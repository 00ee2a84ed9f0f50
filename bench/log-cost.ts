/**
 * What one request log line costs: oxy's own logRequest (core/logs/request-log.ts) with a realistic
 * exchange, made into a line by jsonLogger's own logLine and written with one write(2) per line to
 * /dev/null (jsonLogger itself writes many lines at once, so this is the upper bound). In-process and single-threaded, so the
 * figure is CPU per line, the part of a request's cost that logging adds.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, logLine } from '../core/logger';
import { JsonText } from '../core/logs/json-text';
import { logRequest } from '../core/logs/request-log';
import { nowMs as requestClock } from '../core/clock';
import type { Exchange } from '../core/step';
import { nowMs } from './clock';
import { round } from './stats';

export interface LogCost {
  lines: number;
  microsPerLine: number;
  bytesPerLine: number;
}

export function measureLogCost(lines = 50_000): LogCost {
  const fd = openSync('/dev/null', 'w');
  let bytes = 0;
  const log: Logger = (level, event, fields) => {
    const line = logLine(level, event, fields);
    bytes += line.length;
    writeSync(fd, line);
  };
  const req = { method: 'POST', url: '/v1/chat/completions' } as IncomingMessage;
  const res = { statusCode: 200, writableFinished: true } as ServerResponse;
  const ex: Exchange = {
    id: 'b7e4c2f0-1d2e-4f5a-9b6c-7d8e9f0a1b2c',
    // The clock logRequest reads, so the duration written is a realistic one.
    start: requestClock(),
    clientIp: '203.0.113.9',
    proxyKey: '#1a2b3c4d',
    bytesIn: 214,
    upstream: {
      status: 200,
      headersMs: 812.4,
      requestId: 'req_0b5f8e2d6c1a4e7f9a3b2c1d0e9f8a7b',
      stream: false,
      bytesOut: 612,
      usage: new JsonText('{"prompt_tokens":19,"completion_tokens":18,"total_tokens":37}'),
    },
  };
  try {
    for (let i = 0; i < 2000; i++) logRequest(log, req, res, ex);
    bytes = 0;
    const t0 = nowMs();
    for (let i = 0; i < lines; i++) logRequest(log, req, res, ex);
    const elapsed = nowMs() - t0;
    return {
      lines,
      microsPerLine: round((elapsed * 1000) / lines, 2),
      bytesPerLine: Math.round(bytes / lines),
    };
  } finally {
    closeSync(fd);
  }
}
