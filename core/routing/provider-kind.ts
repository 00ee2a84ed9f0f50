/**
 * The API family behind a target: it decides which header carries keys (proxy keys are read from all of
 * them; a pool key is written to this one).
 */
export type ProviderKind = 'openai' | 'azure' | 'anthropic' | 'gemini';

export const PROVIDER_KINDS: readonly ProviderKind[] = ['openai', 'azure', 'anthropic', 'gemini'];

/** The kind a target's host implies; `openai` for any other (OpenAI-compatible) host. */
export function kindOfHost(hostname: string): ProviderKind {
  const host = hostname.toLowerCase();
  if (host === 'api.anthropic.com') return 'anthropic';
  if (host === 'generativelanguage.googleapis.com') return 'gemini';
  if (host.endsWith('.openai.azure.com') || host.endsWith('.cognitiveservices.azure.com')) return 'azure';
  return 'openai';
}

/** Writes `key` into the header `kind`'s SDKs send it in. */
export function keyHeader(kind: ProviderKind, key: string): [name: string, value: string] {
  switch (kind) {
    case 'azure':
      return ['api-key', key];
    case 'anthropic':
      return ['x-api-key', key];
    case 'gemini':
      return ['x-goog-api-key', key];
    default:
      return ['authorization', `Bearer ${key}`];
  }
}
