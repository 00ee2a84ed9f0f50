import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
