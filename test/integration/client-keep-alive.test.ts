import http from 'node:http';
import { startOxy } from '../helpers/oxy';
import { startUpstream } from '../helpers/upstream';

/** GET on `agent`; resolves with the status and the client-side port of the connection it went over. */
function get(url: string, agent: http.Agent): Promise<{ status?: number; localPort?: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        const localPort = res.socket.localPort;
        res.resume().on('end', () => resolve({ status: res.statusCode, localPort }));
      })
      .on('error', reject);
  });
}

// A complete answer leaves the client's connection open for its next request: only an answer cut short
// resets it (failures.test.ts). Platforms' frontends reuse their connections to the function.
describe("the client's connection", () => {
  it('stays open after complete answers, for the next request on the same socket', async () => {
    const upstream = await startUpstream();
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await get(`${oxy.url}/v1/models?i=${i}`, agent));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(new Set(answers.map((a) => a.localPort)).size).toBe(1);
    } finally {
      agent.destroy();
      await oxy.close();
      await upstream.close();
    }
  });
});
