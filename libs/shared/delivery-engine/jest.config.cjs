module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'delivery-engine', rootDir: __dirname };
