module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'util-kafka', rootDir: __dirname };
