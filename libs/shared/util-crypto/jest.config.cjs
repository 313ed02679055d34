module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'util-crypto', rootDir: __dirname };
