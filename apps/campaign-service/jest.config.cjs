module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'campaign-service',
  rootDir: __dirname,
  testTimeout: 60000,
};
