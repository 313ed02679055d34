import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The walk-through in the contracts README is this lib's walkthrough.spec.ts, verbatim, so the documented code runs.
it('libs/contracts/events/README.md shows walkthrough.spec.ts verbatim', () => {
  const readme = readFileSync(join(__dirname, '../../../contracts/events/README.md'), 'utf8');
  const file = readFileSync(join(__dirname, 'walkthrough.spec.ts'), 'utf8');
  const section = readme.split('### Runnable walk-through')[1] ?? '';
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block).toBe(file);
});
