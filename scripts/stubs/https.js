// Build-time stand-in for `https` as http-proxy requires it (aliased in scripts/bundle.ts): http-proxy loads
// it at start for https targets only, and with it TLS and crypto, about 1 MB of an idle instance's memory.
// This facade loads the real module on first use.
'use strict';
let https;
const load = () => (https ??= require('node:https'));
module.exports = {
  get request() {
    return load().request;
  },
  get get() {
    return load().get;
  },
  get Agent() {
    return load().Agent;
  },
  get globalAgent() {
    return load().globalAgent;
  },
  get createServer() {
    return load().createServer;
  },
};
