import { ValueError } from './config/values';

export type LogLevel = 'error' | 'info' | 'debug';

const RANK: Record<LogLevel | 'warn', number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * One JSON line per event. Callers pass only fields that are safe to keep in platform logs: never a
 * header value, a query string or a body, where keys and tokens travel.
 */
export type Logger = (
  level: 'debug' | 'info' | 'warn' | 'error',
  event: string,
  fields?: Record<string, unknown>,
) => void;

/** Stdout for info and debug, stderr for warnings and errors: the platforms collect both (SCF → CLS, FC → SLS). */
export const jsonLogger: Logger = (level, event, fields) => {
  const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }) + '\n';
  (RANK[level] <= RANK.warn ? process.stderr : process.stdout).write(line);
};

/** `log` without the levels above `threshold`; warnings (something an operator must fix) always pass. */
export function leveled(log: Logger, threshold: LogLevel): Logger {
  const max = RANK[threshold];
  return (level, event, fields) => {
    if (level === 'warn' || RANK[level] <= max) log(level, event, fields);
  };
}

export function parseLogLevel(value: string): LogLevel {
  const level = value.trim().toLowerCase();
  if (level !== 'error' && level !== 'info' && level !== 'debug')
    throw new ValueError('error, info or debug');
  return level;
}
