const path = require('node:path');
const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'snapchat-capi-dispatcher',
  rootDir: __dirname,
  testTimeout: 120000,
  setupFiles: ['reflect-metadata'],
  // The sandbox is a tool, not a lib: map it to its sources too, so tests never need a build first.
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^@snaptrack/snap-capi-sandbox$': path.join(__dirname, '../../tools/snap-capi-sandbox/src/index.ts'),
  },
};
