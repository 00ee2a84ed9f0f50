import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fc from 'fast-check';
import { answerInProgress, openAnswers, trackAnswer } from '../../../core/edge/in-flight';
import { workInProgress } from '../../../core/logger';

/** A request and its answer as trackAnswer sees them: the request's socket, the answer's 'close'. */
function exchange(socket: EventEmitter): { req: IncomingMessage; res: ServerResponse } {
  return {
    req: { socket } as unknown as IncomingMessage,
    res: new EventEmitter() as unknown as ServerResponse,
  };
}

describe('answers in flight (edge/in-flight.ts)', () => {
  afterEach(() => {
    // Module state: every test closes what it opened.
    expect(openAnswers()).toEqual([]);
    expect(workInProgress()).toBe(0);
  });

  // Guards the swap-remove list that replaced a Set (a Set's old hash tables kept closed answers alive
  // through young-generation GCs): whatever the order answers close in, the list holds exactly the open ones.
  it('lists exactly the answers not yet closed, whatever order they open and close in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(-1), fc.nat(40)), { maxLength: 200 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        (steps, sameSocket) => {
          const sockets = [new EventEmitter(), new EventEmitter()];
          const open: ServerResponse[] = [];
          const closed: ServerResponse[] = [];
          steps.forEach((step, i) => {
            if (step === -1 || open.length === 0) {
              const { req, res } = exchange(sockets[sameSocket[i] ? 0 : 1]!);
              trackAnswer(req, res, () => closed.push(res));
              open.push(res);
            } else {
              const [res] = open.splice(step % open.length, 1);
              res!.emit('close');
            }
            expect(new Set(openAnswers())).toEqual(new Set(open));
            expect(openAnswers()).toHaveLength(open.length);
          });
          for (const res of open.splice(0)) res.emit('close');
          expect(closed).toHaveLength(new Set(closed).size);
        },
      ),
    );
  });

  it('counts answers per connection and as work in progress until each closes', () => {
    const socket = new EventEmitter();
    const other = new EventEmitter();
    const first = exchange(socket);
    const second = exchange(socket);
    const elsewhere = exchange(other);
    for (const { req, res } of [first, second, elsewhere]) trackAnswer(req, res, () => undefined);
    expect(workInProgress()).toBe(3);
    first.res.emit('close');
    expect(answerInProgress(socket as never)).toBe(true);
    second.res.emit('close');
    expect(answerInProgress(socket as never)).toBe(false);
    expect(answerInProgress(other as never)).toBe(true);
    expect(openAnswers()).toEqual([elsewhere.res]);
    elsewhere.res.emit('close');
  });
});
