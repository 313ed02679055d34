module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'util-errors', rootDir: __dirname };
