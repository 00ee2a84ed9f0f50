import { runZip, zipsHere } from './zip-runtimes';

// A refused OXY_TARGET is printed at start, where the platform keeps it in its logs.
describe.each(zipsHere())('the $platform zip, given OXY_TARGET with credentials', (rt) => {
  it('exits 1 with one stderr line where the user and password are masked', async () => {
    const { code, stdout, stderr } = await runZip(rt, {
      OXY_PORT: '9000',
      FC_CUSTOM_LISTEN_PORT: '9000',
      OXY_TARGET: 'https://zip-user-id:zip-pass-word@api.example.com/v1',
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^oxy: invalid configuration: OXY_TARGET=[^\n]*\n$/);
    expect(stderr).toContain('https://***:***@api.example.com/v1');
    expect(stderr).not.toMatch(/zip-user-id|zip-pass-word/);
  });
});
