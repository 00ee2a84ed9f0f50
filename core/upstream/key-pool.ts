import { poolKeyFingerprint } from '../access/key-match';

/** One key of a pool, with its health. */
export interface PoolKey {
  readonly key: string;
  /** `...abcd`: how logs name it. */
  readonly fingerprint: string;
  /** Refused (401/403) where another key was accepted: out of the rotation for the life of this instance. */
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
  event: 'pool_key_removed' | 'pool_key_resting' | 'pool_key_refused';
  key: string;
  status: number;
  restMs?: number;
};

/**
 * A round-robin pool of upstream keys. A key can leave the rotation (failover.ts decides when a 401 or 403
 * was the key's fault); one answered 429 rests for the time the upstream asked (or `restMs`).
 */
export class KeyPool {
  private readonly keys: PoolKey[];
  private cursor = 0;
  /** The key of the last answer that was not a refusal (401, 403, 429): the retry's first choice. */
  private lastAccepted: PoolKey | undefined;

  constructor(
    keys: readonly string[],
    private readonly restMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = keys.map((key) => ({ key, fingerprint: poolKeyFingerprint(key), out: false, restUntil: 0 }));
  }

  /** The next healthy key after the last one handed out (other than `avoid`), or why there is none. */
  next(avoid?: PoolKey): PoolKey | PoolExhausted {
    const time = this.now();
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[(this.cursor + i) % this.keys.length]!;
      if (!k.out && k.restUntil <= time && k !== avoid) {
        this.cursor = (this.cursor + i + 1) % this.keys.length;
        return k;
      }
    }
    const resting = this.keys.filter((k) => !k.out);
    if (resting.length === 0) return { status: 503 };
    const soonest = Math.min(...resting.map((k) => k.restUntil));
    return { status: 429, retryAfterS: Math.max(1, Math.ceil((soonest - time) / 1000)) };
  }

  /**
   * The key to retry a request with after `refused` was refused: the last key accepted, if it is healthy, so
   * that its answer tells a bad key from a bad request; else the next healthy one.
   */
  retryKey(refused: PoolKey): PoolKey | PoolExhausted {
    const k = this.lastAccepted;
    if (k && k !== refused && !k.out && k.restUntil <= this.now()) return k;
    return this.next(refused);
  }

  /** Notes that `key` was accepted (an answer other than 401, 403 or 429). */
  accepted(key: PoolKey): void {
    this.lastAccepted = key;
  }

  /** Takes `key` out of the rotation for good: `status` refused it where another key was accepted. */
  remove(key: PoolKey, status: number): KeyEvent | undefined {
    if (key.out) return undefined;
    key.out = true;
    return { event: 'pool_key_removed', key: key.fingerprint, status };
  }

  /** Rests `key`, answered 429, for the time the upstream asked, else the pool's default. */
  rest(key: PoolKey, retryAfterMs: number | undefined): KeyEvent {
    const restMs = retryAfterMs ?? this.restMs;
    key.restUntil = Math.max(key.restUntil, this.now() + restMs);
    return { event: 'pool_key_resting', key: key.fingerprint, status: 429, restMs };
  }
}

export function isExhausted(k: PoolKey | PoolExhausted): k is PoolExhausted {
  return 'status' in k;
}
