module.exports = { ...require('../../jest.preset.cjs'), displayName: 'snap-capi-sandbox', rootDir: __dirname };
