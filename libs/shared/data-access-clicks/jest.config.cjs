module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'data-access-clicks', rootDir: __dirname };
