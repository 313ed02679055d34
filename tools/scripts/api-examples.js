// The worked examples of docs/api.md: GraphQL operations kept as files under docs/api/examples/, run in order by the
// system test (tools/system-tests/src/api-docs.system.spec.ts) against a whole platform, and spliced into docs/api.md
// by `npm run generate` (tools/scripts/generate.js), so the documented operations are the tested ones.
//
// docs/api/examples/examples.json lists the steps in order: { file, variables?, before? }. A string variable
// "{{a.b.0.c}}" is replaced by that path of what the earlier steps returned (each step's `data` fields, by alias, are
// merged into one context); "{{$name}}" by a value the runner provides ($today, pixel ids). `before` names a hook the
// test runs first (e.g. a click and a postback over HTTP); `eventually: true` marks a step that names something another
// service learns through Kafka, retried while it answers NOT_FOUND (as docs/api.md tells clients to).
const fs = require('node:fs');
const path = require('node:path');

const DIR = path.resolve(__dirname, '../../docs/api/examples');

function loadExamples() {
  const steps = JSON.parse(fs.readFileSync(path.join(DIR, 'examples.json'), 'utf8'));
  return steps.map((s) => ({ ...s, query: fs.readFileSync(path.join(DIR, s.file), 'utf8').trim() }));
}

function lookup(ctx, ref) {
  let v = ctx;
  for (const part of ref.split('.')) {
    if (v === null || v === undefined || !(part in Object(v))) throw new Error(`no ${ref} in the examples' context`);
    v = v[part];
  }
  return v;
}

/** The variables with every "{{ref}}" replaced from `ctx`. */
function resolveVariables(value, ctx) {
  if (typeof value === 'string') {
    const m = /^\{\{([$\w.]+)\}\}$/.exec(value);
    return m ? lookup(ctx, m[1]) : value;
  }
  if (Array.isArray(value)) return value.map((v) => resolveVariables(v, ctx));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveVariables(v, ctx)]));
  return value;
}

/** Markdown for one example: the operation, and its variables as sent (references left as written). */
function renderExample(step) {
  const out = ['```graphql', step.query, '```'];
  if (step.variables) out.push('', 'Variables:', '', '```json', JSON.stringify(step.variables, null, 2), '```');
  return out.join('\n');
}

/**
 * Replaces the text between each `<!-- example: <file> -->` and the next `<!-- example-end -->` in `markdown` with
 * that example. Returns { text, missing } (`missing`: examples not shown anywhere; unknown files throw).
 */
function spliceExamples(markdown, steps = loadExamples()) {
  const byFile = new Map(steps.map((s) => [s.file, s]));
  const shown = new Set();
  const text = markdown.replace(/<!-- example: ([\w.-]+) -->[\s\S]*?<!-- example-end -->/g, (_all, file) => {
    const step = byFile.get(file);
    if (!step) throw new Error(`docs/api.md names an unknown example: ${file}`);
    shown.add(file);
    return `<!-- example: ${file} -->\n\n${renderExample(step)}\n\n<!-- example-end -->`;
  });
  return { text, missing: [...byFile.keys()].filter((f) => !shown.has(f)) };
}

module.exports = { loadExamples, resolveVariables, renderExample, spliceExamples, EXAMPLES_DIR: DIR };
