// The baseline oxy is compared with (bench/run.ts): a minimal reverse proxy on bare node:http with a
// keep-alive agent, piping the request and the response and copying status and headers. An upgrade
// (WebSocket) is sent upstream on a fresh connection with the client's headers; the upstream's 101 is
// copied back and the two sockets are piped into each other (a refusal is copied back as it is).
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

/** The status line and headers of an upstream answer, as raw HTTP/1.1 text. */
function head(up) {
  let text = `HTTP/1.1 ${up.statusCode} ${up.statusMessage}\r\n`;
  for (let i = 0; i + 1 < up.rawHeaders.length; i += 2)
    text += `${up.rawHeaders[i]}: ${up.rawHeaders[i + 1]}\r\n`;
  return `${text}\r\n`;
}

server.on('upgrade', (req, socket, early) => {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  const upstream = http.request({
    host: target.hostname,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: { ...req.headers, host: target.host },
    agent: false,
  });
  upstream.on('upgrade', (up, upSocket, upEarly) => {
    upSocket.setNoDelay(true);
    upSocket.on('error', () => socket.destroy());
    socket.on('close', () => upSocket.destroy());
    upSocket.on('close', () => socket.destroy());
    socket.write(head(up));
    if (upEarly.length > 0) socket.write(upEarly);
    if (early.length > 0) upSocket.write(early);
    upSocket.pipe(socket).pipe(upSocket);
  });
  upstream.on('response', (up) => {
    socket.write(head(up));
    up.pipe(socket);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('close', () => upstream.destroy());
  upstream.end();
});
server.listen(port, '127.0.0.1');
