import { crypto } from '../lazy-modules';

/**
 * Counts WebSocket frames in one direction of a relayed byte stream (RFC 6455 §5.2) without copying or
 * holding a byte: frames, bytes, whether the stream sits between two frames (only there may the relay
 * inject a close frame of its own), and the code of a close frame that passed.
 */
export class FrameCounter {
  frames = 0;
  bytes = 0;
  /** The status code of the last close frame seen, if it had one. */
  closeCode?: number;
  /** Header bytes of the frame being read (at most 14), or empty between frames. */
  private header: number[] = [];
  /** Payload bytes still to come in the current frame. */
  private left = 0;
  /** Close frame payload bytes gathered (the first two carry the code), and its mask. */
  private closing?: { mask?: number[]; got: number[] };

  /** True when no frame is half-way through: a frame written now would not corrupt the stream. */
  get atBoundary(): boolean {
    return this.header.length === 0 && this.left === 0;
  }

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let i = 0;
    while (i < chunk.length) {
      if (this.left > 0) {
        const take = Math.min(this.left, chunk.length - i);
        if (this.closing && this.closing.got.length < 2) this.readCloseCode(chunk, i, take);
        this.left -= take;
        i += take;
        continue;
      }
      this.header.push(chunk[i++]!);
      const length = headerLength(this.header);
      if (length === undefined || this.header.length < length) continue;
      this.startFrame();
    }
  }

  private startFrame(): void {
    const h = this.header;
    this.header = [];
    this.frames++;
    const masked = (h[1]! & 0x80) !== 0;
    let len = h[1]! & 0x7f;
    let at = 2;
    if (len === 126) {
      len = (h[2]! << 8) | h[3]!;
      at = 4;
    } else if (len === 127) {
      // 64-bit length; JavaScript numbers hold every length a relay will ever see.
      len = h.slice(2, 10).reduce((n, b) => n * 256 + b, 0);
      at = 10;
    }
    this.left = len;
    this.closing =
      (h[0]! & 0x0f) === 0x8 ? { mask: masked ? h.slice(at, at + 4) : undefined, got: [] } : undefined;
    if (this.closing && len < 2) this.closing = undefined;
  }

  private readCloseCode(chunk: Buffer, from: number, take: number): void {
    const c = this.closing!;
    for (let k = 0; k < take && c.got.length < 2; k++) {
      const b = chunk[from + k]!;
      c.got.push(c.mask ? b ^ c.mask[c.got.length % 4]! : b);
    }
    if (c.got.length === 2) this.closeCode = (c.got[0]! << 8) | c.got[1]!;
  }
}

/** The full header length once its first two bytes are known. */
function headerLength(h: number[]): number | undefined {
  if (h.length < 2) return undefined;
  const len = h[1]! & 0x7f;
  const masked = (h[1]! & 0x80) !== 0 ? 4 : 0;
  return 2 + (len === 126 ? 2 : len === 127 ? 8 : 0) + masked;
}

/**
 * A close frame (RFC 6455 §5.5.1) with `code` and a short reason, masked when it goes to a server (a
 * client's frames must be), for the relay's own closes: idle, shutdown, the other side gone.
 */
export function closeFrame(code: number, reason: string, toServer: boolean): Buffer {
  const payload = Buffer.concat([
    Buffer.from([code >> 8, code & 0xff]),
    Buffer.from(reason.slice(0, 100), 'utf8'),
  ]);
  if (!toServer) return Buffer.concat([Buffer.from([0x88, payload.length]), payload]);
  // A fresh random mask, as RFC 6455 §5.3 asks, so no byte pattern can be chosen by anyone in between.
  const mask = crypto().randomBytes(4);
  const masked = payload.map((b, i) => b ^ mask[i % 4]!);
  return Buffer.concat([Buffer.from([0x88, 0x80 | payload.length]), mask, masked]);
}
