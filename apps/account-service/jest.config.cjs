module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'account-service',
  rootDir: __dirname,
  testTimeout: 60000,
  // type-graphql needs the metadata polyfill before any decorated class (util-testing pulls in shared types).
  setupFiles: ['reflect-metadata'],
};
