module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'conversion-service',
  rootDir: __dirname,
  testTimeout: 60000,
};
