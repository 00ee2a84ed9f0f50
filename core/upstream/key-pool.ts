import { poolKeyFingerprint } from '../access/key-match';

/** One key of a pool, with its health. */
export interface PoolKey {
  readonly key: string;
  /** `...abcd`: how logs name it. */
  readonly fingerprint: string;
  /** Answered 401/403: out of the rotation for the life of this instance. */
  out: boolean;
  /** Answered 429: not used before this time (ms since the epoch). */
  restUntil: number;
}

/** No key can be used now: every key is out (503) or resting (429, with the wait when one is known). */
export interface PoolExhausted {
  status: 429 | 503;
  retryAfterS?: number;
}

/** What became of a key after an upstream answer, for the log. */
export type KeyEvent = {
  event: 'pool_key_removed' | 'pool_key_resting';
  key: string;
  status: number;
  restMs?: number;
};

/**
 * A round-robin pool of upstream keys. A key answered 401 or 403 leaves the rotation; one answered 429
 * rests for the time the upstream asked (or `restMs`).
 */
export class KeyPool {
  private readonly keys: PoolKey[];
  private cursor = 0;

  constructor(
    keys: readonly string[],
    private readonly restMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = keys.map((key) => ({ key, fingerprint: poolKeyFingerprint(key), out: false, restUntil: 0 }));
  }

  /** The next healthy key after the last one handed out, or why there is none. */
  next(): PoolKey | PoolExhausted {
    const time = this.now();
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[(this.cursor + i) % this.keys.length]!;
      if (!k.out && k.restUntil <= time) {
        this.cursor = (this.cursor + i + 1) % this.keys.length;
        return k;
      }
    }
    const resting = this.keys.filter((k) => !k.out);
    if (resting.length === 0) return { status: 503 };
    const soonest = Math.min(...resting.map((k) => k.restUntil));
    return { status: 429, retryAfterS: Math.max(1, Math.ceil((soonest - time) / 1000)) };
  }

  /** Records an upstream answer to a request made with `key`; says what changed, if anything. */
  report(key: PoolKey, status: number, retryAfterMs: number | undefined): KeyEvent | undefined {
    if (status === 401 || status === 403) {
      if (key.out) return undefined;
      key.out = true;
      return { event: 'pool_key_removed', key: key.fingerprint, status };
    }
    if (status === 429) {
      const restMs = retryAfterMs ?? this.restMs;
      key.restUntil = Math.max(key.restUntil, this.now() + restMs);
      return { event: 'pool_key_resting', key: key.fingerprint, status, restMs };
    }
    return undefined;
  }
}

export function isExhausted(k: PoolKey | PoolExhausted): k is PoolExhausted {
  return 'status' in k;
}
