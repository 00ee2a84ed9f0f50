// Build-time stand-in for `follow-redirects` (aliased in scripts/bundle.ts). http-proxy uses it only when
// its `followRedirects` option is set, which oxy never does: a proxy passes redirects to the client.
'use strict';
module.exports = { http: require('node:http'), https: require('https') };
