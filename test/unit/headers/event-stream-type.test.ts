import { isEventStream } from '../../../core/headers/response-headers';

// What counts as SSE decides whether a response is flushed event by event: only text/event-stream itself.
describe('isEventStream', () => {
  it.each([
    ['  text/event-stream', true],
    ['text/event-stream;charset=utf-8', true],
    ['text/event-streaming', false],
    ['application/json; profile=text/event-stream', false],
    ['xtext/event-stream', false],
    ['', false],
  ])('%j → %s', (type, expected) => expect(isEventStream({ 'content-type': type })).toBe(expected));
});
