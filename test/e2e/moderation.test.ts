import { rmSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { type RunningZip, freePort, functionEnv, startBootstrap } from '../helpers/bootstrap';
import { PLATFORM_MAJORS, runtimes } from '../helpers/node-runtimes';
import { chatAnswers } from '../helpers/openai-bodies';
import {
  STAND_IN_SECRET_ID,
  STAND_IN_SECRET_KEY,
  type TmsStandIn,
  startTmsStandIn,
} from '../helpers/tms-stand-in';
import { type Upstream, startUpstream } from '../helpers/upstream';
import { unpackZip } from '../helpers/zip';
import { ZIPS } from './dist';

// Issue 12 on the built zips, through their bootstraps on every Node the platform runs: moderation is
// loaded only when configured (a lazily required module of the bundle), and on SCF it signs with the run
// role's temporary credentials from the environment, as the platform sets them.
const TOKEN = 'e2e-role-session-token';

/** What the upstream streams, one chunk a piece: a clean sentence, a blocked one, one never sent. */
const PIECES = ['Fine', ' words.', ' Then', ' BLOCKME', ' words.', ' Never', ' sent.'];

describe.each([
  { platform: 'scf' as const, majors: PLATFORM_MAJORS.scf },
  { platform: 'fc' as const, majors: PLATFORM_MAJORS.fc },
])('$platform zip with OXY_MODERATION=tencent', ({ platform, majors }) => {
  describe.each(runtimes(majors))('on $label', ({ binDir }) => {
    let upstream: Upstream;
    let tms: TmsStandIn;
    let oxy: RunningZip;
    let dir: string;
    beforeAll(async () => {
      upstream = await startUpstream(chatAnswers('pong', PIECES));
      tms = await startTmsStandIn({ token: TOKEN });
      dir = await unpackZip(ZIPS[platform].zip);
      const port = await freePort();
      const env = {
        OXY_TARGET: upstream.url,
        OXY_PORT: String(port),
        FC_CUSTOM_LISTEN_PORT: String(port),
        OXY_MODERATION: 'tencent',
        OXY_MODERATION_ENDPOINT: tms.url,
        TENCENTCLOUD_REGION: 'ap-guangzhou',
        TENCENTCLOUD_SECRETID: STAND_IN_SECRET_ID,
        TENCENTCLOUD_SECRETKEY: STAND_IN_SECRET_KEY,
        TENCENTCLOUD_SESSIONTOKEN: TOKEN,
      };
      oxy = await startBootstrap(path.join(dir, ZIPS[platform].bootstrap), port, functionEnv(binDir, env));
    });
    afterAll(async () => {
      await oxy?.stop();
      await tms?.close();
      await upstream?.close();
      rmSync(dir, { recursive: true, force: true });
      const logged = oxy?.output() ?? '';
      for (const secret of [STAND_IN_SECRET_KEY, TOKEN, 'BLOCKME']) expect(logged).not.toContain(secret);
    });

    const client = (): OpenAI => new OpenAI({ baseURL: `${oxy.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });

    it('passes a clean prompt and refuses a blocked one with content_filter, signed in the function region', async () => {
      const answer = await client().chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(answer.choices[0]?.message.content).toBe('pong');
      const refusal = await client()
        .chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'BLOCKME' }] })
        .catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(OpenAI.BadRequestError);
      expect((refusal as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('content_filter');
      expect(upstream.seen).toHaveLength(1);
      expect(tms.calls.map((c) => [c.region, c.token, c.signatureValid])).toEqual([
        ['ap-guangzhou', TOKEN, true],
        ['ap-guangzhou', TOKEN, true],
      ]);
    });

    it('ends a stream at the blocked sentence with finish_reason content_filter', async () => {
      const stream = await client().chat.completions.create({
        model: 'm',
        stream: true,
        messages: [{ role: 'user', content: 'go' }],
      });
      let text = '';
      let reason: string | null = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        reason = chunk.choices[0]?.finish_reason ?? reason;
      }
      expect(text).toBe('Fine words.');
      expect(reason).toBe('content_filter');
    });
  });
});
