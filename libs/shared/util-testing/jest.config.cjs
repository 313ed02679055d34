module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'util-testing', rootDir: __dirname };
