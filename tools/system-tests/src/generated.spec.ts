import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

describe('generated files', () => {
  it('subgraph SDLs, the supergraph and the README config tables match the code (needs the build)', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'tools/scripts/generate.js'), '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the committed JSON Schemas match the contract objects', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'libs/contracts/events/scripts/export-schemas.js'), '--check'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
  });
});
