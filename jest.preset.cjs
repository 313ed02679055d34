// Shared Jest preset: @swc/jest with legacy decorators + metadata, and @snaptrack/* resolved to lib sources
// so tests never need a build first.
const fs = require('node:fs');
const path = require('node:path');

const root = __dirname;
function libMap() {
  const map = {};
  for (const group of ['libs/shared', 'libs/contracts']) {
    const dir = path.join(root, group);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const pkg = path.join(dir, name, 'package.json');
      if (!fs.existsSync(pkg)) continue;
      const { name: pkgName } = JSON.parse(fs.readFileSync(pkg, 'utf8'));
      map[`^${pkgName.replace('/', '\\/')}$`] = path.join(dir, name, 'src/index.ts');
    }
  }
  return map;
}

module.exports = {
  testEnvironment: 'node',
  setupFiles: [require.resolve('reflect-metadata')],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: libMap(),
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
