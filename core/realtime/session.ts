import type { Socket } from 'node:net';
import { FrameCounter, closeFrame } from './frame-counter';
import { OpenList } from '../open-list';

/** How a session ended, for its log line. */
export interface SessionEnd {
  /** The client's frames and bytes (to the upstream) and the upstream's (to the client). */
  fromClient: FrameCounter;
  fromUpstream: FrameCounter;
  /** Who ended it: a side's close or loss, the idle limit, or the proxy's shutdown. */
  endedBy: 'client' | 'upstream' | 'idle' | 'shutdown';
  /** The close code that ended it, whichever side's or the proxy's own. */
  closeCode?: number;
}

/** How long a side may take to finish closing before its socket is destroyed. */
const CLOSE_MS = 500;

const open = new OpenList<(code: number, reason: string, by: SessionEnd['endedBy']) => void>();

/**
 * Relays an open WebSocket between the client's and the upstream's sockets, frames passed through
 * byte for byte. When one side closes (its close frame has already been relayed) the other is ended;
 * when one side is lost without a close frame the other gets one from the proxy (1001 to the upstream
 * for a vanished client, 1011 to the client for a lost upstream); silence past `idleMs` on both closes
 * both with 1001. Anything still open after CLOSE_MS is destroyed.
 */
export function relaySession(
  client: Socket,
  upstream: Socket,
  idleMs: number,
  onEnd: (end: SessionEnd) => void,
  /** Bytes each side sent along with the handshake, relayed (and counted) first. */
  early: { fromClient: Buffer; fromUpstream: Buffer },
): void {
  const fromClient = new FrameCounter();
  const fromUpstream = new FrameCounter();
  let endedBy: SessionEnd['endedBy'] | undefined;
  /** The side whose close frame passed first: the one that ended a normal close. */
  let closer: 'client' | 'upstream' | undefined;
  let closeCode: number | undefined;
  let closed = 0;

  const finish = (code: number, reason: string, by: SessionEnd['endedBy']): void => {
    if (endedBy) return;
    endedBy = by;
    closeCode = code;
    for (const [socket, counter, toServer] of [
      [client, fromUpstream, false],
      [upstream, fromClient, true],
    ] as const) {
      // A frame of our own may only go between two relayed frames.
      if (!socket.destroyed && socket.writable && counter.atBoundary)
        socket.write(closeFrame(code, reason, toServer));
      socket.end();
    }
    setTimeout(() => (client.destroy(), upstream.destroy()), CLOSE_MS).unref();
  };
  const gone = (side: 'client' | 'upstream'): void => {
    const [counter, peer] = side === 'client' ? [fromClient, upstream] : [fromUpstream, client];
    if (!endedBy && counter.closeCode === undefined) {
      return finish(
        side === 'client' ? 1001 : 1011,
        side === 'client' ? 'client went away' : 'upstream connection lost',
        side,
      );
    }
    if (!endedBy) {
      // A normal close: the close frames went through already; the peer answers and ends.
      endedBy = closer ?? side;
      closeCode = (closer === 'upstream' ? fromUpstream : fromClient).closeCode ?? counter.closeCode;
    }
    peer.end();
    setTimeout(() => peer.destroy(), CLOSE_MS).unref();
  };

  open.add(finish);
  fromClient.push(early.fromClient);
  fromUpstream.push(early.fromUpstream);
  if (early.fromUpstream.length > 0) client.write(early.fromUpstream);
  if (early.fromClient.length > 0) upstream.write(early.fromClient);
  for (const [socket, counter, peer, side] of [
    [client, fromClient, upstream, 'client'],
    [upstream, fromUpstream, client, 'upstream'],
  ] as const) {
    socket.on('data', (c: Buffer) => {
      counter.push(c);
      if (!closer && counter.closeCode !== undefined) closer = side;
    });
    socket.pipe(peer, { end: false });
    socket.setTimeout(idleMs, () => finish(1001, 'idle timeout', 'idle'));
    socket.on('error', () => undefined);
    socket.once('end', () => gone(side));
    socket.once('close', () => {
      gone(side);
      if (++closed < 2) return;
      open.delete(finish);
      onEnd({ fromClient, fromUpstream, endedBy: endedBy ?? side, closeCode });
    });
  }
}

/** Closes every open session with 1001 (the end of a shutdown's grace); returns how many there were. */
export function closeAllSessions(): number {
  const all = open.all();
  for (const finish of all) finish(1001, 'server shutting down', 'shutdown');
  return all.length;
}
