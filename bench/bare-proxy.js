// The baseline oxy is compared with (bench/run.ts): a minimal reverse proxy on bare node:http with a
// keep-alive agent, piping the request and the response and copying status and headers.
// Usage: TARGET=http://127.0.0.1:8080 PORT=9000 node bench/bare-proxy.js
'use strict';
const http = require('node:http');

const target = new URL(process.env.TARGET || '');
const port = Number(process.env.PORT);
const agent = new http.Agent({ keepAlive: true });

/** Headers without the hop-by-hop ones that would change how the connection itself behaves. */
function endToEnd(headers) {
  const copy = { ...headers };
  delete copy.connection;
  delete copy['keep-alive'];
  return copy;
}

const server = http.createServer({ noDelay: true }, (req, res) => {
  const options = {
    host: target.hostname,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: { ...endToEnd(req.headers), host: target.host },
    agent,
  };
  const upstream = http.request(options, (up) => {
    res.writeHead(up.statusCode || 502, endToEnd(up.headers));
    up.pipe(res);
  });
  upstream.on('socket', (socket) => socket.setNoDelay(true));
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
});
server.listen(port, '127.0.0.1');
