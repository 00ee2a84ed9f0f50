/**
 * Settings http-proxy's `setupOutgoing` (lib/http-proxy/common.js) copies into every upstream request's
 * options from the target and the engine's options, whether set or not: socket and TLS settings oxy never
 * gives, so always undefined.
 */
export const ALWAYS_UNSET = [
  'socketPath',
  'pfx',
  'key',
  'passphrase',
  'cert',
  'ca',
  'ciphers',
  'secureProtocol',
  'localAddress',
] as const;

/** A setter per such setting: a value is kept as the object's own field, undefined is not written at all. */
const BASE: object = Object.create(
  Object.prototype,
  Object.fromEntries(
    ALWAYS_UNSET.map((name) => [
      name,
      {
        set(this: object, value: unknown): void {
          if (value !== undefined)
            Object.defineProperty(this, name, {
              value,
              writable: true,
              enumerable: true,
              configurable: true,
            });
        },
        configurable: true,
      },
    ]),
  ),
);

/**
 * A fresh object for http-proxy to build one upstream request's options on: it starts from the engine's
 * `options.ssl` when there is one (web-incoming.js `stream`), so oxy gives it this as a getter. Node copies
 * those options three times per request (ClientRequest's `Object.assign`, then two spreads into
 * null-prototype objects, in V8's slow dictionary path, ClientRequest's own and Agent#addRequest's), every
 * field, undefined or not: with nine undefined fields of sixteen, those copies took 47K instructions per
 * request under callgrind, 26K without them (of ~350K for the whole request), and http.request gets the
 * fields a hand-written proxy gives it.
 * Fresh per request, because http-proxy writes the request's headers and path into it.
 */
export function outgoingOptions(): object {
  return Object.create(BASE) as object;
}
