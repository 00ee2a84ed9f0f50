import { loadConfig } from '../../core/config';
import { OxyError } from '../../core/errors';

/** The error loadConfig throws for `env`. */
function refusal(env: Record<string, string>): OxyError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof OxyError) return err;
    throw err;
  }
  throw new Error(`${JSON.stringify(env)} was accepted`);
}

// A refused setting stops the start with one line that says what to write instead.
describe('configuration errors', () => {
  it.each([
    [{ OXY_HOP_HEADER_PREFIX: 'X SCF' }, 'comma-separated header-name prefixes such as X-SCF or X-FC'],
    [{ OXY_PORT: '0' }, 'an integer from 1 to 65535'],
    [{ OXY_TARGET: 'ftp://h' }, 'an absolute http(s) URL such as https://api.openai.com'],
  ])('%j says it expected %j, as an invalid_config error of type config_error', (env, expected) => {
    const err = refusal(env);
    expect(err.message).toContain(expected);
    expect([err.code, err.type]).toEqual(['invalid_config', 'config_error']);
  });
});
