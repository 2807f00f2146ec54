// Two tiers: `unit` (pure, no I/O, parallel) and `int` (real Kafka + Postgres, provisioned once per run by globalSetup).
const swc = ['@swc/jest', {
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
}];
// Nest 12 ships ES modules only. Jest's CommonJS runtime can require() an ES module only on Node >= 24.9 and we
// support Node >= 20.19, so swc compiles those packages to CommonJS for the tests, as it compiles our own code
// (import.meta.url/dirname/resolve become their CommonJS equivalents). The services themselves load the real ES
// modules through Node's require(esm).
const esmOnly = ['@nestjs'];
const swcEsm = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'ecmascript' }, keepClassNames: true }, module: { type: 'commonjs' } }];
const moduleNameMapper = {
  '^@closeloop/(contracts|messaging|platform|testing)$': '<rootDir>/libs/$1/src/index.ts',
  // the console's web app imports only this module of contracts (services/console/web/vite.config.mjs)
  '^@closeloop/contracts/i18n$': '<rootDir>/libs/contracts/src/i18n/index.ts',
};
const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc, '/node_modules/.+\\.js$': swcEsm },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper,
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,services,tools,deploy,test}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/{libs,services,test,deploy}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/jest/global-setup.mjs',
      globalTeardown: '<rootDir>/libs/testing/jest/global-teardown.mjs',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/jest/setup-int.ts'],
    },
  ],
};
