module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'util-logger', rootDir: __dirname };
