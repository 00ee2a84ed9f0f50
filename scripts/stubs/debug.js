// Build-time stand-in for the `debug` package (aliased in scripts/bundle.ts). http-proxy-middleware and
// follow-redirects log through it only when DEBUG names them, which oxy never does; the real module loads
// tty, os and supports-color at every cold start.
'use strict';
function createDebug() {
  const log = () => {};
  log.enabled = false;
  log.extend = createDebug;
  return log;
}
module.exports = createDebug;
module.exports.default = createDebug;
