import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import type { ESLint } from 'eslint';

/**
 * The lint setup itself (eslint.config.mjs): module boundaries between nx projects and the type-aware promise rule
 * must actually fire. Each case is linted with ESLint's Node API (`new ESLint({ cwd })` + `lintText`) under the path
 * of a real source file of the project in question, so the type-aware parser finds it in that project's
 * tsconfig.spec.json and nothing is written to the working tree (only `code` is linted, not the file on disk).
 *
 * ESLint loads eslint.config.mjs with a dynamic import, which Jest's module sandbox refuses (it would need
 * --experimental-vm-modules), so the API runs in a plain Node child process that gets the cases on stdin.
 */
const ROOT = path.resolve(__dirname, '../../..');
const BOUNDARIES = '@nx/enforce-module-boundaries';
const FLOATING = '@typescript-eslint/no-floating-promises';

interface LintCase {
  name: string;
  file: string;
  code: string;
}

const CASES: LintCase[] = [
  {
    name: 'app imports app',
    file: 'apps/campaign-service/src/main.ts',
    code: "import { something } from '@snaptrack/config-service';\nexport const x = something;\n",
  },
  {
    name: 'app imports util',
    file: 'apps/campaign-service/src/main.ts',
    code: "import { createLogger } from '@snaptrack/util-logger';\nexport const x = createLogger;\n",
  },
  {
    name: 'lib imports app',
    // util-errors is a lib no app depends on: nx reports a dependency cycle before the boundary itself otherwise.
    file: 'libs/shared/util-errors/src/index.ts',
    code: "import { something } from '@snaptrack/campaign-service';\nexport const x = something;\n",
  },
  {
    name: 'contracts import util',
    file: 'libs/contracts/events/src/index.ts',
    code: "import { createLogger } from '@snaptrack/util-logger';\nexport const x = createLogger;\n",
  },
  {
    name: 'floating promise',
    file: 'apps/campaign-service/src/main.ts',
    code: 'async function work(): Promise<number> {\n  return 1;\n}\nwork();\nexport {};\n',
  },
  {
    name: 'awaited promise',
    file: 'apps/campaign-service/src/main.ts',
    code:
      'async function work(): Promise<number> {\n  return 1;\n}\n' +
      'export async function run(): Promise<number> {\n  return await work();\n}\n',
  },
];

// Runs in the child: reads the cases from stdin, prints MARKER and then { name: LintResult[] } as JSON. Anything
// before the marker is output of ESLint or its plugins (nx prints its missing-graph warning to stdout).
const MARKER = '@@lint-results@@';
const CHILD = `
const { ESLint } = require('eslint');
const path = require('node:path');
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = {};
  for (const c of JSON.parse(input)) {
    out[c.name] = await eslint.lintText(c.code, { filePath: path.join(process.cwd(), c.file) });
  }
  process.stdout.write('${MARKER}' + JSON.stringify(out));
});
`;

let results: Record<string, ESLint.LintResult[]>;
let childOutput = '';

beforeAll(() => {
  // The boundary rule quietly disables itself when nx has no cached project graph: compute it first.
  execFileSync('npx', ['nx', 'show', 'projects'], { cwd: ROOT, stdio: 'ignore' });
  const child = spawnSync(process.execPath, ['-e', CHILD], {
    cwd: ROOT,
    // With CI=true typescript-eslint assumes a single CLI run and builds its program from the files on disk, so the
    // text given to lintText would be replaced by the real file's content. These cases are text, not files.
    env: { ...process.env, TSESTREE_SINGLE_RUN: 'false' },
    input: JSON.stringify(CASES),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`eslint child exited with ${child.status}: ${child.stderr}`);
  const at = child.stdout.lastIndexOf(MARKER);
  if (at < 0) throw new Error(`no lint results from the eslint child: ${child.stdout}${child.stderr}`);
  childOutput = child.stdout.slice(0, at) + child.stderr;
  results = JSON.parse(child.stdout.slice(at + MARKER.length)) as Record<string, ESLint.LintResult[]>;
});

function lint(name: string): ESLint.LintResult {
  const r = results[name];
  expect(r).toHaveLength(1);
  const [result] = r;
  // A parse error (e.g. a path the type-aware parser refuses) would make every assertion below meaningless.
  expect(result.messages.filter((m) => m.fatal === true)).toEqual([]);
  // Without a project graph the boundary rule would warn and skip its checks instead of failing.
  expect(JSON.stringify(r)).not.toContain('No cached ProjectGraph');
  expect(childOutput).not.toContain('No cached ProjectGraph');
  return result;
}

function messagesOf(result: ESLint.LintResult, ruleId: string): string[] {
  return result.messages.filter((m) => m.ruleId === ruleId).map((m) => m.message);
}

describe('eslint.config.mjs', () => {
  it('an app importing another app fails with the module-boundaries rule', () => {
    const r = lint('app imports app');
    expect(messagesOf(r, BOUNDARIES)).toEqual(['Imports of apps are forbidden']);
    expect(r.errorCount).toBeGreaterThanOrEqual(1);
  });

  it('the same app importing a util lib passes (the rule is not a blanket refusal)', () => {
    const r = lint('app imports util');
    expect(r.messages).toEqual([]);
  });

  it('a lib importing an app fails with the module-boundaries rule', () => {
    const r = lint('lib imports app');
    expect(messagesOf(r, BOUNDARIES)).toEqual(['Imports of apps are forbidden']);
  });

  it('the Kafka contracts importing util-logger fail with the module-boundaries rule', () => {
    const r = lint('contracts import util');
    const messages = messagesOf(r, BOUNDARIES);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('A project tagged with "type:contracts" cannot depend on any libs with tags');
  });

  it('a floating promise in a .ts file is reported by no-floating-promises', () => {
    const r = lint('floating promise');
    const floating = r.messages.filter((m) => m.ruleId === FLOATING);
    expect(floating).toHaveLength(1);
    expect(floating[0].line).toBe(4);
    expect(floating[0].severity).toBe(2);
  });

  it('the same promise awaited passes', () => {
    const r = lint('awaited promise');
    expect(messagesOf(r, FLOATING)).toEqual([]);
  });
});
