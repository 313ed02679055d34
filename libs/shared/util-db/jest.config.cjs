module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'util-db', rootDir: __dirname };
