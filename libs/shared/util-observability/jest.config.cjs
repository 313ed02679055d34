module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'util-observability', rootDir: __dirname };
