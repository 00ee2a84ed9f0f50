import type { Config } from '../config';
import type { Logger } from '../logger';
import type { RouteConfig } from '../routing/route-table';
import type { KeyPool } from '../upstream/key-pool';
import { answerGate } from './answer-gate';
import { openAiModeration } from './openai-moderation';
import { promptGate } from './prompt-gate';
import type { ModerationService } from './settings';
import { tencentCredentials } from './tencent/credentials';
import { checkAll, tencentTextModeration } from './tencent/tms-client';
import type { Check, Verdict } from './verdict';

/** A route's moderation: the gate its prompts wait at, and the filter its streamed answers pass through. */
export interface RouteModeration {
  prompt: ReturnType<typeof promptGate>;
  answer: ReturnType<typeof answerGate>;
}

export interface ModerationContext {
  config: Config;
  /** The largest request body the platform accepts. */
  bodyLimit: number;
  /** The default target's pool, for `openai` moderation. */
  defaultPool: KeyPool | undefined;
  log: Logger;
}

/**
 * Builds each route's moderation from the configuration. This module is loaded only when some route
 * moderates (core/app.ts): an instance without moderation pays nothing for it at start.
 */
export function routeModeration(ctx: ModerationContext): (route: RouteConfig) => RouteModeration | undefined {
  const { config, bodyLimit, defaultPool, log } = ctx;
  const blockOn: ReadonlySet<Verdict> = new Set(
    config.moderationLevel === 'review' ? ['review', 'block'] : ['block'],
  );
  const checks = new Map<ModerationService, Check>();
  const checkOf = (service: 'tencent' | 'openai'): Check => {
    let check = checks.get(service);
    if (check) return check;
    const one =
      service === 'tencent'
        ? tencentTextModeration({
            endpoint: config.moderationEndpoint,
            region: config.moderationRegion ?? '',
            credentials: () => tencentCredentials(config.credentialEnv) ?? { secretId: '', secretKey: '' },
            timeoutMs: config.moderationTimeoutMs,
          })
        : openAiModeration({
            target: config.target,
            pool: defaultPool!,
            timeoutMs: config.moderationTimeoutMs,
          });
    // Texts longer than the service takes in one call are checked in parts; the worst verdict counts.
    check = (text, signal) => checkAll(one, text, signal);
    checks.set(service, check);
    return check;
  };
  return (route) => {
    const service = route.moderation ?? config.moderation;
    if (service === 'off') return undefined;
    const options = { check: checkOf(service), blockOn, failOpen: config.moderationFailOpen, service, log };
    return { prompt: promptGate({ ...options, bodyLimit }), answer: answerGate(options) };
  };
}
