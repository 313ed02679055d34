module.exports = { ...require('../../jest.preset.cjs'), displayName: 'config-service', rootDir: __dirname, testTimeout: 60000 };
