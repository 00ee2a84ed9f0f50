import http, { type IncomingHttpHeaders } from 'node:http';
import { type Framing, applyFraming, requestFraming } from '../../../core/upstream/framing';

// Guards issue 6 items 1–3: the upstream request's framing follows what Node's parser used, never a header
// the client could add, remove or leave blank. (What the parser used is checked against the parser itself,
// on every platform Node, by test/integration/request-smuggling.test.ts and the e2e specs.)
describe('requestFraming', () => {
  it.each<[IncomingHttpHeaders, Framing]>([
    [{}, { kind: 'none' }],
    [{ 'content-length': '5' }, { kind: 'length', length: '5' }],
    [{ 'content-length': '005' }, { kind: 'length', length: '5' }],
    [{ 'content-length': '0' }, { kind: 'length', length: '0' }],
    [{ 'content-length': '000' }, { kind: 'length', length: '0' }],
    [{ 'transfer-encoding': 'chunked' }, { kind: 'chunked', codings: 'chunked' }],
    [{ 'transfer-encoding': 'Chunked' }, { kind: 'chunked', codings: 'chunked' }],
    // The gzip coding still applies to the body's bytes: it goes upstream with them.
    [{ 'transfer-encoding': 'gzip, chunked' }, { kind: 'chunked', codings: 'gzip, chunked' }],
    [{ 'transfer-encoding': ', chunked' }, { kind: 'chunked', codings: 'chunked' }],
    [{ 'transfer-encoding': 'gzip,, chunked' }, { kind: 'chunked', codings: 'gzip, chunked' }],
    // Item 3: a blank Transfer-Encoding is ignored by the parser, which frames by Content-Length.
    [
      { 'transfer-encoding': '', 'content-length': '5' },
      { kind: 'length', length: '5' },
    ],
    [
      { 'transfer-encoding': ' \t', 'content-length': '5' },
      { kind: 'length', length: '5' },
    ],
    [{ 'transfer-encoding': ', ' }, { kind: 'none' }],
    [{ 'transfer-encoding': '' }, { kind: 'none' }],
  ])('%j → %j', (headers, framing) => expect(requestFraming(headers)).toEqual(framing));
});

describe('applyFraming', () => {
  const outgoing = (headers: Record<string, string>): http.ClientRequest => {
    // Never connects: the agent hands out no socket, so nothing is sent.
    const agent = Object.assign(new http.Agent(), { addRequest: () => undefined });
    return http.request({ host: '127.0.0.1', port: 9, agent, headers });
  };

  it.each<[Record<string, string>, Framing, Record<string, string>]>([
    [{ 'content-length': '0' }, { kind: 'chunked', codings: 'chunked' }, { 'transfer-encoding': 'chunked' }],
    [{}, { kind: 'chunked', codings: 'gzip, chunked' }, { 'transfer-encoding': 'gzip, chunked' }],
    [{ 'transfer-encoding': 'chunked' }, { kind: 'length', length: '7' }, { 'content-length': '7' }],
    [{ 'content-length': '3', 'transfer-encoding': 'chunked' }, { kind: 'none' }, {}],
    [{}, { kind: 'length', length: '0' }, { 'content-length': '0' }],
  ])('replaces %j with the decided %j', (before, framing, after) => {
    const req = outgoing({ ...before, a: '1' });
    expect(applyFraming(req, framing)).toBe(true);
    expect(req.getHeaders()).toEqual({ ...after, a: '1', host: '127.0.0.1:9' });
    req.destroy();
  });

  it('refuses once the headers are out, so the caller can fail closed', () => {
    const req = outgoing({});
    req.on('error', () => undefined);
    req.flushHeaders();
    expect(applyFraming(req, { kind: 'chunked', codings: 'chunked' })).toBe(false);
    req.destroy();
  });
});
