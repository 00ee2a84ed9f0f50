import { loadConfig } from '../../core/config';
import { OxyError } from '../../core/errors';

const USER = 'uSeR-n4me';
const PASS = 'pA55-w0rd';

/** The message of the error loadConfig throws for this OXY_TARGET. */
function refusal(value: string): string {
  try {
    loadConfig({ OXY_TARGET: value });
  } catch (err) {
    expect(err).toBeInstanceOf(OxyError);
    return (err as OxyError).message;
  }
  throw new Error(`OXY_TARGET=${value} was accepted`);
}

// A refused OXY_TARGET is printed at start and lands in the platform's logs: a user or password in it must
// be masked, however the URL is spelled, even when it does not parse.
describe('a refused OXY_TARGET with credentials', () => {
  it.each([
    [`https://${USER}:${PASS}@api.example.com/v1`, 'https://***:***@api.example.com/v1'],
    [`https://${USER}@api.example.com`, 'https://***@api.example.com'],
    [`https://:${PASS}@api.example.com`, 'https://***:***@api.example.com'],
    [`HTTP://${USER}:${PASS}@api.example.com`, 'HTTP://***:***@api.example.com'],
    [`https:/${USER}:${PASS}@api.example.com`, 'https:/***:***@api.example.com'],
    [`https:${USER}:${PASS}@api.example.com`, 'https:***:***@api.example.com'],
    [`http:${USER}:${PASS}@api.example.com`, 'http:***:***@api.example.com'],
    [`ftp://${USER}:${PASS}@api.example.com`, 'ftp://***:***@api.example.com'],
    [`${USER}:${PASS}@api.example.com`, '***:***@api.example.com'],
    [`  https://${USER}:${PASS}@api.example.com`, 'https://***:***@api.example.com'],
    [`https://${USER}:${PASS}@api.example.com/?q=1`, 'https://***:***@api.example.com/?***'],
    // Not URLs the parser takes, but a person's credentials all the same.
    [`https://${USER}:pA5/5?w#0rd@api.example.com`, 'https://***:***@api.example.com'],
    [`https://${USER}:pA55@w0rd@api.example.com`, 'https://***:***@api.example.com'],
    [`https://${USER}:pA55:/w0rd@api.example.com`, 'https://***:***@api.example.com'],
    [`https://uSeR n4me:${PASS}@api.example.com`, 'https://***:***@api.example.com'],
    [`https://${USER}:${PASS}@api example.com`, 'https://***:***@api example.com'],
    [`https:\\\\${USER}:${PASS}@api.example.com`, '***:***@api.example.com'],
    // Found in review: a full-width or small at sign, as a Chinese input method types it, was not masked.
    [`https://${USER}:${PASS}＠api.example.com`, 'https://***:***@api.example.com'],
    [`https://${USER}:${PASS}﹫api.example.com`, 'https://***:***@api.example.com'],
  ])('is named with the user and password masked: %s', (value, masked) => {
    const message = refusal(value);
    expect(message).toContain('OXY_TARGET');
    expect(message).toContain(masked);
    for (const part of [USER, PASS, 'uSeR', 'pA5', 'w0rd']) expect(message).not.toContain(part);
  });

  it('is masked when the password holds ":/", which could pass for the end of a scheme', () => {
    const message = refusal('https://alice:se:/cret@api.example.com');
    expect(message).toContain('https://***:***@api.example.com');
    expect(message).not.toMatch(/alice|se:|cret/);
  });

  // Found in review: only `user:password@` was masked, so a key in the query (Gemini's `?key=`) or the
  // fragment was printed whole.
  it.each([
    [
      'https://generativelanguage.googleapis.com/?key=AIzaSECRET-1',
      'https://generativelanguage.googleapis.com/?***',
    ],
    ['https://api.example.com/v1#SECRET-1', 'https://api.example.com/v1?***'],
    ['https://api.example.com/v1?sig=SECRET-1#x', 'https://api.example.com/v1?***'],
  ])('is named with its query and fragment masked: %s', (value, masked) => {
    const message = refusal(value.replace('https://', 'https://[bad'));
    expect(message).toContain(masked.replace('https://', 'https://[bad'));
    expect(message).not.toContain('SECRET');
  });

  it('is printed as given when it holds no "@"', () => {
    expect(refusal('api.example.com/v1')).toContain('api.example.com/v1');
  });
});

// Found in review: OXY_ROUTES hid a value only for an ASCII @, and OXY_CORS_ORIGINS printed an origin's
// user and password twice, in the value and in the entry it named.
describe('other refused settings with credentials', () => {
  it.each([
    ['OXY_ROUTES', `/c=https://${USER}:${PASS}＠[bad`],
    ['OXY_CORS_ORIGINS', `https://${USER}:${PASS}@app.example.com`],
    ['OXY_CORS_ORIGINS', `https://ok.example.com, https://${USER}:${PASS}@app.example.com/x`],
  ])('%s=%s is refused without them', (name, value) => {
    let message = '';
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(name);
    expect(message).not.toContain(USER);
    expect(message).not.toContain(PASS);
  });
});
