import { ValueError } from '../config/values';

/** `OXY_MODERATION`: no moderation, Tencent Cloud TMS, or the upstream's own `/v1/moderations`. */
export type ModerationService = 'off' | 'tencent' | 'openai';

/**
 * `OXY_MODERATION_LEVEL`: `block` refuses what the service calls Block; `review` also what it calls Review
 * (easychen/openai-api-proxy's `moderation_level` low and high).
 */
export type ModerationLevel = 'block' | 'review';

export const TMS_ENDPOINT = 'https://tms.tencentcloudapi.com';

export function parseModerationService(value: string): ModerationService {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'off' || v === 'false') return 'off';
  if (v === 'tencent' || v === 'openai') return v;
  throw new ValueError('off, tencent or openai');
}

export function parseModerationLevel(value: string): ModerationLevel {
  const v = value.trim().toLowerCase();
  if (v !== 'block' && v !== 'review') throw new ValueError('block or review');
  return v;
}
