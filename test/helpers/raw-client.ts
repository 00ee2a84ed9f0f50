import net from 'node:net';

/** One answer read off a raw connection, and how the connection ended if it did. */
export interface RawAnswer {
  head: string;
  status: number;
  body: string;
  /** 'open' while the connection stays up after the answer; 'end' for a FIN; 'reset' for an RST. */
  ending: 'open' | 'end' | 'reset' | 'timeout';
}

/**
 * A raw client connection: writes exact bytes and reads answers framed the way a careful client would
 * (Content-Length, chunked, or until close), so tests see what went over the wire and how it ended.
 */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private ended: RawAnswer['ending'] | undefined;
  private wake: (() => void) | undefined;
  readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, c]);
      this.wake?.();
    });
    socket.on('end', () => this.finish('end'));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      this.finish(err.code === 'ECONNRESET' ? 'reset' : 'end'),
    );
    socket.on('close', () => this.finish('end'));
  }

  static connect(url: string): Promise<RawClient> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: string): this {
    this.socket.write(Buffer.from(bytes, 'latin1'));
    return this;
  }

  /** Reads the next answer (`head`: one to HEAD, without body); gives up after `ms` (ending 'timeout'). */
  async answer(ms = 3000, head = false): Promise<RawAnswer> {
    const deadline = Date.now() + ms;
    for (;;) {
      const parsed = this.parse(head);
      if (parsed) return parsed;
      if (this.ended) return this.take(this.buffer.length, this.ended);
      const left = deadline - Date.now();
      if (left <= 0) return this.take(this.buffer.length, 'timeout');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Waits until the server closes the connection, and says how. */
  async closed(ms = 3000): Promise<RawAnswer['ending']> {
    const deadline = Date.now() + ms;
    while (!this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.ended ?? 'timeout';
  }

  destroy(): void {
    this.socket.destroy();
  }

  private finish(how: 'end' | 'reset'): void {
    this.ended ??= how;
    this.wake?.();
  }

  private parse(head: boolean): RawAnswer | undefined {
    const text = this.buffer.toString('latin1');
    const headEnd = text.indexOf('\r\n\r\n');
    if (headEnd === -1) return undefined;
    const status = Number(text.slice(9, 12));
    if (status >= 100 && status < 200 && status !== 101) {
      this.buffer = this.buffer.subarray(headEnd + 4);
      return this.parse(head);
    }
    if (head) return this.take(headEnd + 4, 'open', headEnd);
    const lines = text.slice(0, headEnd);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(lines);
    if (length) {
      const end = headEnd + 4 + Number(length[1]);
      return text.length >= end ? this.take(end, 'open', headEnd) : undefined;
    }
    if (/\r\ntransfer-encoding:\s*chunked/i.test(lines)) {
      const end = text.indexOf('\r\n0\r\n\r\n', headEnd);
      return end === -1 ? undefined : this.take(end + 7, 'open', headEnd);
    }
    return this.ended ? this.take(text.length, this.ended, headEnd) : undefined;
  }

  private take(end: number, ending: RawAnswer['ending'], headEnd?: number): RawAnswer {
    const text = this.buffer.subarray(0, end).toString('latin1');
    this.buffer = this.buffer.subarray(end);
    const split = headEnd ?? text.indexOf('\r\n\r\n');
    const head = split === -1 ? text : text.slice(0, split);
    const body = split === -1 ? '' : text.slice(split + 4);
    const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
    return { head, status: Number(head.slice(9, 12)) || 0, body: chunked ? dechunk(body) : body, ending };
  }
}

/** A chunked body's data, as far as it is complete. */
function dechunk(body: string): string {
  let data = '';
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = lineEnd === -1 ? 0 : parseInt(body.slice(at, lineEnd), 16);
    if (!size) return data;
    data += body.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
