import { loadConfig } from '../../core/config';
import { OxyError } from '../../core/errors';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({});
    expect(c.target.href).toBe('https://api.openai.com/');
    expect(c.port).toBe(9000);
    expect(c.hopHeaderPrefixes).toEqual([]);
    expect(c.upstreamTimeoutMs).toBe(600_000);
  });

  it.each([
    ['https://api.openai.com', 'https://api.openai.com/'],
    ['https://host.example/base', 'https://host.example/base'],
    ['https://host.example/base/', 'https://host.example/base'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/'],
    ['  https://api.anthropic.com  ', 'https://api.anthropic.com/'],
  ])('accepts OXY_TARGET=%j', (value, href) => {
    expect(loadConfig({ OXY_TARGET: value }).target.href).toBe(href);
  });

  it.each([
    ['OXY_TARGET', ''],
    ['OXY_TARGET', 'api.openai.com'],
    ['OXY_TARGET', 'ftp://api.openai.com'],
    ['OXY_TARGET', 'https://api.openai.com/?a=1'],
    ['OXY_TARGET', 'https://api.openai.com/#x'],
    ['OXY_PORT', ''],
    ['OXY_PORT', '0'],
    ['OXY_PORT', '65536'],
    ['OXY_PORT', '80.5'],
    ['OXY_PORT', '9000abc'],
    ['OXY_PORT', '-1'],
    ['OXY_HOP_HEADER_PREFIX', 'X SCF'],
    ['OXY_HOP_HEADER_PREFIX', 'X-SCF,X:FC'],
    ['OXY_UPSTREAM_TIMEOUT_MS', '0'],
    ['OXY_UPSTREAM_TIMEOUT_MS', 'ten'],
  ])('rejects %s=%j with one line naming the variable, the value and what is expected', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OxyError);
    const { message, code } = err as OxyError;
    expect(code).toBe('invalid_config');
    // URLs are shown with their query and fragment masked (config/redact.ts): a key can sit there.
    const shown = name === 'OXY_TARGET' ? value.replace(/[?#].*$/, '?***') : value;
    expect(message).toContain(`${name}=${JSON.stringify(shown)}`);
    expect(message).toContain('expected');
    expect(message).not.toContain('\n');
  });

  it('does not echo credentials embedded in OXY_TARGET', () => {
    expect(() => loadConfig({ OXY_TARGET: 'https://user:pass@host' })).toThrow(/OXY_TARGET/);
  });

  it('splits, trims and lower-cases hop-header prefixes', () => {
    expect(loadConfig({ OXY_HOP_HEADER_PREFIX: ' X-SCF, x-Fc ,,' }).hopHeaderPrefixes).toEqual([
      'x-scf',
      'x-fc',
    ]);
  });

  it('takes platform defaults, and a set variable over them', () => {
    const defaults = { values: { OXY_HOP_HEADER_PREFIX: 'X-FC' } };
    expect(loadConfig({}, defaults).hopHeaderPrefixes).toEqual(['x-fc']);
    expect(loadConfig({ OXY_HOP_HEADER_PREFIX: '' }, defaults).hopHeaderPrefixes).toEqual([]);
  });

  it('falls back to another variable for an unset one, and names it when it is bad', () => {
    const defaults = { fallbacks: { OXY_PORT: 'FC_CUSTOM_LISTEN_PORT' } } as const;
    expect(loadConfig({ FC_CUSTOM_LISTEN_PORT: '9100' }, defaults).port).toBe(9100);
    expect(loadConfig({ OXY_PORT: '9200', FC_CUSTOM_LISTEN_PORT: '9100' }, defaults).port).toBe(9200);
    expect(loadConfig({}, defaults).port).toBe(9000);
    expect(() => loadConfig({ FC_CUSTOM_LISTEN_PORT: 'x' }, defaults)).toThrow(/^FC_CUSTOM_LISTEN_PORT="x"/);
  });
});

// Found in review: an OXY_ variable oxy does not know was ignored, so OXY_PROXY_KEY (for OXY_PROXY_KEYS)
// started an open proxy. The start stops and names it, never its value.
describe('an unknown OXY_ variable', () => {
  it.each([
    ['OXY_PROXY_KEY', /^OXY_PROXY_KEY is not a setting of oxy; did you mean OXY_PROXY_KEYS\?$/],
    ['OXY_TARGETS', /^OXY_TARGETS is not a setting of oxy; did you mean OXY_TARGET\?$/],
    ['OXY_KEYS', /^OXY_KEYS is not a setting of oxy; settings are OXY_TARGET, .*, OXY_CONFIG_FILE$/],
  ])('%s stops the start', (name, message) => {
    let thrown: unknown;
    try {
      loadConfig({ [name]: 'pk-secret-value' });
    } catch (err) {
      thrown = err;
    }
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain('pk-secret-value');
  });

  it('leaves other variables alone', () => {
    expect(() => loadConfig({ HOME: '/root', OXYGEN: '1', OXY_CONFIG_FILE: undefined })).not.toThrow();
  });
});
