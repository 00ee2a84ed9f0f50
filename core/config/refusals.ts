import type { Config, Env } from '../config';
import type { ModerationService } from '../moderation/settings';
import { tencentCredentials } from '../moderation/tencent/credentials';
import { kindOfHost } from '../routing/provider-kind';
import { configError } from './config-error';

/** The services a configuration moderates with, per route. */
export function moderationServices(config: Config): Set<ModerationService> {
  return new Set([config.moderation, ...config.routes.map((r) => r.moderation ?? config.moderation)]);
}

/** Moderation that could never check a text would fail every request (or pass them all): refuse to start. */
export function refuseUnusableModeration(config: Config, env: Env): void {
  const services = moderationServices(config);
  if (services.has('tencent')) {
    if (config.moderationRegion === undefined) {
      throw configError(
        'OXY_MODERATION=tencent needs a region: set OXY_MODERATION_REGION (e.g. ap-guangzhou); SCF sets TENCENTCLOUD_REGION itself',
      );
    }
    if (tencentCredentials(env) === undefined) {
      throw configError(
        'OXY_MODERATION=tencent needs Tencent Cloud credentials: on SCF give the function a run role (TENCENTCLOUD_SECRETID/SECRETKEY/SESSIONTOKEN), elsewhere set TENCENT_CLOUD_SID and TENCENT_CLOUD_SKEY',
      );
    }
  }
  if (services.has('openai')) {
    const kind = config.targetKind ?? kindOfHost(config.target.hostname);
    if (kind !== 'openai' || config.upstreamKeys.length === 0) {
      throw configError(
        "OXY_MODERATION=openai calls the default target's /v1/moderations with a pool key: it needs an OpenAI-kind OXY_TARGET and OXY_UPSTREAM_KEYS",
      );
    }
  }
}

/** A key pool without proxy keys would let anyone who finds the URL spend the owner's keys. */
export function refuseOpenRelay(config: Config): void {
  if (config.proxyKeys.length > 0) return;
  // Name the pool the operator set: a route's, when the default target has none.
  const route = config.routes.find((r) => r.upstreamKeys.length > 0);
  const pool =
    config.upstreamKeys.length > 0
      ? 'OXY_UPSTREAM_KEYS'
      : route && `the upstreamKeys of route ${JSON.stringify(route.prefix)}`;
  if (pool === undefined) return;
  throw configError(
    `${pool} is set but OXY_PROXY_KEYS is not: anyone who finds this URL could spend the pool keys; set OXY_PROXY_KEYS`,
  );
}
