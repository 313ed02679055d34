// Root Jest config: every project's jest.config.cjs under apps/, libs/<group>/ and tools/.
const fs = require('node:fs');
const path = require('node:path');
const projects = [];
for (const dir of ['apps', 'libs/shared', 'libs/contracts', 'tools']) {
  const abs = path.join(__dirname, dir);
  if (!fs.existsSync(abs)) continue;
  for (const name of fs.readdirSync(abs)) {
    if (fs.existsSync(path.join(abs, name, 'jest.config.cjs'))) projects.push(`<rootDir>/${dir}/${name}`);
  }
}
module.exports = { projects, testTimeout: 180000 };
