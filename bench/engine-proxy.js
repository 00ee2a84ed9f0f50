// The engine alone, for comparison (bench/run.ts, informational): http-proxy-middleware's factory and
// http-proxy's web() on a plain node:http listener, configured as oxy configures them
// (core/upstream/proxy.ts: the factory only, one plugin that fills the engine's options, the target parsed
// once, a keep-alive LIFO agent, no X-Forwarded-*, http.request given no undefined fields), but with none of oxy's steps: no access checks, header
// filters, framing, timeouts, log, usage or Server-Timing. http-proxy writes the answer's status and
// headers and pipes its body itself. Between bare and oxy, it shows what the engine costs and what oxy's
// steps cost on top of it.
// Usage: TARGET=http://127.0.0.1:8080 PORT=9000 node bench/engine-proxy.js
'use strict';
const http = require('node:http');
const { createProxyMiddleware } = require('http-proxy-middleware/dist/factory');

const target = new URL(process.env.TARGET || '');
const port = Number(process.env.PORT);
const options = {
  target: {
    protocol: target.protocol,
    host: target.host,
    hostname: target.hostname,
    port: target.port,
    path: '',
  },
  agent: new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
  xfwd: false,
};
// As core/upstream/outgoing-options.ts: http-proxy builds each request's options on `options.ssl`, and
// setters drop the nine socket and TLS fields it would otherwise write as undefined.
const UNSET = 'socketPath pfx key passphrase cert ca ciphers secureProtocol localAddress'.split(' ');
const base = Object.create(
  Object.prototype,
  Object.fromEntries(
    UNSET.map((name) => [
      name,
      {
        set(value) {
          if (value !== undefined)
            Object.defineProperty(this, name, { value, writable: true, enumerable: true });
        },
      },
    ]),
  ),
);
let engine;
createProxyMiddleware({
  ...options,
  ejectPlugins: true,
  plugins: [
    (proxyServer) => {
      engine = proxyServer;
      Object.assign(proxyServer.options, options);
      Object.defineProperty(proxyServer.options, 'ssl', { get: () => Object.create(base), enumerable: true });
      proxyServer.on('error', (_err, _req, res) => {
        if (typeof res.writeHead === 'function' && !res.headersSent) res.writeHead(502);
        res.end();
      });
    },
  ],
});
http.createServer({ noDelay: true }, (req, res) => engine.web(req, res)).listen(port, '127.0.0.1');
