module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'contracts-events', rootDir: __dirname };
