import { loadConfig } from '../../core/config';
import { fcPlatform } from '../../functions/fc/platform';
import { scfPlatform } from '../../functions/scf/platform';

// What each platform build reads when the function's owner sets nothing.
describe('platform configuration defaults', () => {
  it('FC takes its port from FC_CUSTOM_LISTEN_PORT, OXY_PORT first', () => {
    expect(loadConfig({ FC_CUSTOM_LISTEN_PORT: '9123' }, fcPlatform.config).port).toBe(9123);
    expect(loadConfig({ FC_CUSTOM_LISTEN_PORT: '9123', OXY_PORT: '9124' }, fcPlatform.config).port).toBe(
      9124,
    );
    expect(loadConfig({}, fcPlatform.config).port).toBe(9000);
  });

  it('SCF listens on 9000, where SCF routes web functions, and has no other port variable', () => {
    expect(loadConfig({}, scfPlatform.config).port).toBe(9000);
    expect(loadConfig({ FC_CUSTOM_LISTEN_PORT: '9123' }, scfPlatform.config).port).toBe(9000);
  });
});
