module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'data-access-config-view', rootDir: __dirname };
