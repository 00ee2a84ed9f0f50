/**
 * One JSON line per event. Callers pass only fields that are safe to keep in platform logs: never a
 * header value, a query string or a body, where keys and tokens travel.
 */
export type Logger = (level: 'info' | 'error', event: string, fields?: Record<string, unknown>) => void;

export const jsonLogger: Logger = (level, event, fields) => {
  const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }) + '\n';
  (level === 'error' ? process.stderr : process.stdout).write(line);
};
