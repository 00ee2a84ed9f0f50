// Build-time stand-in for `micromatch` (aliased in scripts/bundle.ts). http-proxy-middleware needs it only
// for glob `pathFilter`s; oxy proxies every path and sets none. Fails loudly should that ever change.
'use strict';
function unsupported() {
  throw new Error('glob path filters are not bundled in oxy');
}
module.exports = unsupported;
module.exports.isMatch = unsupported;
module.exports.default = unsupported;
