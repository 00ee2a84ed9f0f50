// Replaced by the bundler (scripts/bundle.ts) with package.json's version; `npm start` runs the sources,
// where npm provides it.
declare const OXY_VERSION: string | undefined;

export const VERSION =
  typeof OXY_VERSION === 'string' ? OXY_VERSION : (process.env.npm_package_version ?? 'dev');
