import { startOxy } from '../helpers/oxy';
import { type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream';
import { ATTACKS, expectSafe, runAttack } from '../helpers/smuggling';

// Issue 6: request smuggling through the pooled upstream connection. Each case is an attacker's request
// followed by another client's request with a unique token; numbers name the flaw of the issue it guards.
// The same table runs against the built zips on every platform Node (test/e2e/request-smuggling.test.ts).
describe('request smuggling through the pooled upstream connection', () => {
  let upstream: RecordingUpstream;
  beforeEach(async () => {
    upstream = await startRecordingUpstream();
  });
  afterEach(() => upstream.close());

  it.each(ATTACKS.map((a) => [a.name, a] as const))('%s', async (_name, attack) => {
    const oxy = await startOxy({ OXY_TARGET: `${upstream.url}/base` });
    try {
      const outcome = await runAttack(oxy.url, upstream, attack);
      expectSafe(outcome, attack, Number(process.versions.node.split('.')[0]), '/base');
      // Both requests went over one pooled upstream connection: the case the attack needs. (Node's client
      // does not reuse a connection after HEAD with a body.)
      if (!attack.head && outcome.attacker.status === 200) expect(upstream.connections()).toBe(1);
    } finally {
      await oxy.close();
    }
  });
});
