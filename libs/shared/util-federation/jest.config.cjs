module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'util-federation', rootDir: __dirname };
