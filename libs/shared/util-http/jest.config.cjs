module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'util-http', rootDir: __dirname };
