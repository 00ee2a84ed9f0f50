import type { TmsCredentials } from './tms-client';

type Env = Record<string, string | undefined>;

/**
 * Where TMS credentials come from, read at each check rather than once: SCF puts the run role's temporary
 * credentials in TENCENTCLOUD_SECRETID / _SECRETKEY / _SESSIONTOKEN (https://cloud.tencent.com/document/
 * product/583/32748), and temporary credentials expire. Keys set explicitly win: easychen/openai-api-proxy's
 * TENCENT_CLOUD_SID / TENCENT_CLOUD_SKEY, which are permanent keys (no token). Elsewhere (FC, local) the
 * TENCENTCLOUD_* names may be set by hand, as Tencent's SDKs read them.
 */
export function tencentCredentials(env: Env): TmsCredentials | undefined {
  const sid = env.TENCENT_CLOUD_SID;
  const skey = env.TENCENT_CLOUD_SKEY;
  if (sid && skey) return { secretId: sid, secretKey: skey };
  const id = env.TENCENTCLOUD_SECRETID;
  const key = env.TENCENTCLOUD_SECRETKEY;
  if (!id || !key) return undefined;
  const token = env.TENCENTCLOUD_SESSIONTOKEN;
  return token ? { secretId: id, secretKey: key, token } : { secretId: id, secretKey: key };
}

/** The region TMS is called in when OXY_MODERATION_REGION is unset: the function's own, else easychen's. */
export function defaultTmsRegion(env: Env): string | undefined {
  return env.TENCENTCLOUD_REGION || env.TENCENT_CLOUD_AP || undefined;
}
