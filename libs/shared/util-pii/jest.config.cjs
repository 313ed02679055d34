module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'util-pii', rootDir: __dirname };
