import { ALWAYS_UNSET, outgoingOptions } from '../../../core/upstream/outgoing-options';

// Guards upstream/outgoing-options.ts: http-proxy's setupOutgoing writes nine socket and TLS settings into
// this object on every request; the unset ones must leave no field behind, a set one must stay as given.

describe('outgoingOptions', () => {
  it.each(ALWAYS_UNSET)(
    'writes no %s field for undefined, and keeps a value as an ordinary field',
    (name) => {
      const o = outgoingOptions() as Record<string, unknown>;
      o[name] = undefined;
      expect(Object.keys(o)).toEqual([]);
      expect({ ...o }).toEqual({});
      o[name] = 'v';
      o[name] = 'w';
      expect(Object.keys(o)).toEqual([name]);
      expect({ ...o }).toEqual({ [name]: 'w' });
    },
  );

  it('covers the nine settings setupOutgoing writes besides those a request uses', () => {
    expect([...ALWAYS_UNSET].sort()).toEqual([
      'ca',
      'cert',
      'ciphers',
      'key',
      'localAddress',
      'passphrase',
      'pfx',
      'secureProtocol',
      'socketPath',
    ]);
  });

  it('keeps every other field as written, in order', () => {
    const o = outgoingOptions() as Record<string, unknown>;
    o.port = '8080';
    o.host = 'h';
    o.ca = undefined;
    o.method = 'POST';
    expect(Object.keys(o)).toEqual(['port', 'host', 'method']);
  });

  it('is a fresh object each time', () => {
    const a = outgoingOptions() as Record<string, unknown>;
    a.port = '1';
    a.key = 'k';
    expect(Object.keys(outgoingOptions())).toEqual([]);
  });
});
