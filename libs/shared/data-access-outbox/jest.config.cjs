module.exports = { ...require('../../../jest.preset.cjs'), displayName: 'data-access-outbox', rootDir: __dirname };
