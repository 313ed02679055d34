module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'util-config', rootDir: __dirname };
