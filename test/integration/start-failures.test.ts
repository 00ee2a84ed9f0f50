import http from 'node:http';
import { start } from '../../core/start';
import { VERSION } from '../../core/version';
import { freePort } from '../helpers/bootstrap';
import { FakeHost, startWithHost } from '../helpers/started-oxy';

// What start() prints and how it exits, through the real function with a stand-in for `process`.
describe('start', () => {
  it('exits 1 with one stderr line that masks the user and password of a refused OXY_TARGET', () => {
    const host = new FakeHost();
    const logs: unknown[] = [];
    const server = start(
      { name: 'test' },
      { OXY_TARGET: 'https://oxy-user-id:oxy-pass-word@api.example.com/v1' },
      (...line) => logs.push(line),
      host,
    );
    expect(server).toBeUndefined();
    expect(host.exits).toEqual([1]);
    // One line, naming the variable and what is expected, with the URL masked.
    expect(host.stderrText).toMatch(
      /^oxy: invalid configuration: OXY_TARGET=[^\n]*expected an absolute http\(s\) URL[^\n]*\n$/,
    );
    expect(host.stderrText).toContain('https://***:***@api.example.com/v1');
    expect(host.stderrText).not.toMatch(/oxy-user-id|oxy-pass-word/);
    expect(logs).toEqual([]);
  });

  it('exits 1 with one stderr line naming 0.0.0.0, the port and the cause when the port is taken', async () => {
    const port = await freePort();
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(port, '0.0.0.0', resolve));
    try {
      const host = new FakeHost();
      start({ name: 'test' }, { OXY_PORT: String(port) }, () => {}, host);
      expect(await host.exited.promise).toBe(1);
      expect(host.stderrText).toBe(`oxy: cannot listen on 0.0.0.0:${port}: EADDRINUSE\n`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("logs one 'listening' line with the platform, version, port and the target's origin", async () => {
    const oxy = await startWithHost({ OXY_TARGET: 'https://api.example.com/base' }, { name: 'scf' });
    try {
      expect(oxy.logs).toHaveLength(1);
      expect(oxy.logs[0]).toMatchObject({
        level: 'info',
        event: 'listening',
        platform: 'scf',
        version: VERSION,
        port: oxy.port,
        target: 'https://api.example.com',
      });
      expect(oxy.host.exits).toEqual([]);
      expect(oxy.host.stderrText).toBe('');
    } finally {
      await oxy.close();
    }
  });
});
