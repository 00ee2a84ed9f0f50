import { PLATFORM_MAJORS } from '../helpers/node-runtimes';
import { describePlatformContract } from './platform-contract';

// What SCF gives a web function: cloud.tencent.com/document/product/583/32748 (env) and 583/56124 (headers).
describePlatformContract({
  platform: 'scf',
  majors: PLATFORM_MAJORS.scf,
  env: (port) => ({
    OXY_PORT: String(port),
    SCF_RUNTIME: 'Nodejs18.15',
    SCF_FUNCTIONNAME: 'oxy',
    TENCENTCLOUD_RUNENV: 'SCF',
    TENCENTCLOUD_REGION: 'na-siliconvalley',
    TENCENTCLOUD_SECRETID: 'AKIDenvsecretid',
    TENCENTCLOUD_SECRETKEY: 'env-secret-key',
    TENCENTCLOUD_SESSIONTOKEN: 'env-session-token',
  }),
  headers: {
    'X-Scf-Request-Id': 'scf-req-1',
    'X-Scf-Memory': '128',
    'X-Scf-Timeout': '900',
    'X-Scf-Name': 'oxy',
    'X-Scf-Region': 'na-siliconvalley',
    'X-Scf-Appid': '1250000000',
    'X-Scf-Uin': '100000000001',
    'X-Scf-Secret-Id': 'AKIDheadersecretid',
    'X-Scf-Secret-Key': 'header-secret-key',
    'X-Scf-Session-Token': 'header-session-token',
    'x-scf-remote-addr': '198.51.100.23',
  },
  prefix: 'x-scf',
  secrets: [
    'AKIDenvsecretid',
    'env-secret-key',
    'env-session-token',
    'AKIDheadersecretid',
    'header-secret-key',
    'header-session-token',
  ],
});
