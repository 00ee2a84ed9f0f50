import { loadConfig } from '../../core/config';

describe('OXY_TARGET', () => {
  it.each([
    ['https://host.example/base//', 'https://host.example/base'],
    ['https://host.example/a/b/', 'https://host.example/a/b'],
    ['HTTPS://HOST.EXAMPLE/', 'https://host.example/'],
    ['http://127.0.0.1:8080/v1', 'http://127.0.0.1:8080/v1'],
  ])('takes %j as %j: trailing slashes go, since request paths are appended', (value, href) => {
    expect(loadConfig({ OXY_TARGET: value }).target.href).toBe(href);
  });

  it.each([
    'https://user@host.example',
    'https://:password@host.example',
    'data:text/plain,x',
    'file:///etc',
  ])('refuses %j', (value) => {
    expect(() => loadConfig({ OXY_TARGET: value })).toThrow(/OXY_TARGET/);
  });
});
