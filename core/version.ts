// Replaced by the bundler (scripts/bundle.ts) with package.json's version.
declare const OXY_VERSION: string | undefined;

export const VERSION = typeof OXY_VERSION === 'string' ? OXY_VERSION : 'dev';
