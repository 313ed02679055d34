// Output of `npm run bench`: the stdout table and the hand-written SVG chart (throughput bars and p50/p95/p99 per
// scenario). Pure functions of the result object bench.js writes to tmp/bench/<timestamp>.json.

const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(d));

function ratioText(s, byKey) {
  return Object.entries(s.ratios || {})
    .map(([k, r]) => `${fmt(r, 2)}× ${byKey[k]?.short || k}`)
    .join(', ');
}

/** The table printed at the end of a run. */
function table(result) {
  const byKey = Object.fromEntries(result.scenarios.map((s) => [s.key, s]));
  const head = [
    'scenario'.padEnd(50),
    'load'.padStart(10),
    'req/s'.padStart(10),
    'p50 ms'.padStart(9),
    'p95 ms'.padStart(9),
    'p99 ms'.padStart(9),
    '  vs baseline',
  ].join('');
  const lines = [head, '-'.repeat(head.length + 20)];
  for (const s of result.scenarios) {
    const load = s.rate ? `${s.rate}/s` : s.connections ? `c=${s.connections}` : '';
    lines.push(
      [
        s.name.padEnd(50),
        load.padStart(10),
        fmt(s.rps).padStart(10),
        fmt(s.latency?.p50, 2).padStart(9),
        fmt(s.latency?.p95, 2).padStart(9),
        fmt(s.latency?.p99, 2).padStart(9),
        `  ${ratioText(s, byKey)}`,
      ].join(''),
    );
  }
  const notes = result.scenarios.filter((s) => s.note).map((s) => `  ${s.name}: ${s.note}`);
  const rss = Object.entries(result.rss || {}).map(
    ([name, r]) => `  ${name.padEnd(26)} RSS ${fmt(r.rssMiB)} MiB (peak ${fmt(r.peakMiB)} MiB)`,
  );
  const sandbox = result.sandbox
    ? [`sandbox: ${result.sandbox.unique} distinct events accepted, ${result.sandbox.duplicates} duplicate(s)`]
    : [];
  return [
    ...(result.quick ? ['BENCH_QUICK run: checks the harness; these figures are not a measurement', ''] : []),
    ...lines,
    '',
    ...sandbox,
    'latency: closed loop = per response (no queueing shown); open loop = from the scheduled send time',
    ...(notes.length ? ['', 'notes:', ...notes] : []),
    ...(rss.length ? ['', 'memory after the run:', ...rss] : []),
  ].join('\n');
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `<tag a="1" …>content</tag>` (self-closing without content); numbers are rounded to 0.1. */
function el(tag, attrs, content) {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? Math.round(v * 10) / 10 : esc(v)}"`)
    .join('');
  return content === undefined ? `<${tag}${a}/>` : `<${tag}${a}>${content}</${tag}>`;
}

/** A two-panel horizontal bar chart: throughput (linear) and p50/p95/p99 latency (log scale). */
function svg(result) {
  const rows = result.scenarios;
  const rowH = 34;
  const labelW = 330;
  const panelW = 420;
  const gap = 60;
  const top = 70;
  const bottom = top + rows.length * rowH;
  const width = labelW + panelW * 2 + gap + 40;
  const height = bottom + 60;
  const maxRps = Math.max(1, ...rows.map((s) => s.rps || 0));
  const lats = rows
    .flatMap((s) => (s.latency ? [s.latency.p50, s.latency.p95, s.latency.p99] : []))
    .filter((x) => x > 0);
  const loE = Math.floor(Math.log10(Math.min(...lats, 1)));
  const hiE = Math.ceil(Math.log10(Math.max(...lats, 10)));
  const lx = labelW + panelW + gap;
  const logX = (v) => lx + ((Math.log10(Math.max(v, 10 ** loE)) - loE) / (hiE - loE)) * panelW;
  const m = result.machine;
  const title = `npm run bench — ${result.date}${result.quick ? ' (BENCH_QUICK: not a measurement)' : ''}`;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
      ' font-family="sans-serif" font-size="12">',
    el('rect', { width: '100%', height: '100%', fill: '#fff' }),
    el('text', { x: 10, y: 22, 'font-size': 15, 'font-weight': 'bold' }, esc(title)),
    el('text', { x: 10, y: 40, fill: '#555' }, esc(`${m.cores} cores, ${fmt(m.memoryGiB)} GiB, node ${m.node}`)),
    el('text', { x: labelW, y: top - 12, 'font-weight': 'bold' }, 'throughput (req/s, linear)'),
    el('text', { x: lx, y: top - 12, 'font-weight': 'bold' }, 'latency ms (log): p50 · p95 · p99'),
  ];
  for (let e = loE; e <= hiE; e++) {
    const x = logX(10 ** e);
    out.push(
      el('line', { x1: x, y1: top, x2: x, y2: bottom, stroke: '#ddd' }),
      el(
        'text',
        { x, y: bottom + 16, 'text-anchor': 'middle', fill: '#555' },
        e >= 0 ? 10 ** e : (10 ** e).toFixed(-e),
      ),
    );
  }
  const colors = { p50: '#4c9be8', p95: '#f0a830', p99: '#d9534f' };
  rows.forEach((s, i) => {
    const y = top + i * rowH;
    const w = ((s.rps || 0) / maxRps) * panelW;
    out.push(
      el('text', { x: labelW - 8, y: y + 20, 'text-anchor': 'end' }, esc(s.name)),
      el('rect', { x: labelW, y: y + 6, width: w, height: 20, fill: s.kind === 'baseline' ? '#999' : '#2a7ab9' }),
      el('text', { x: labelW + w + 4, y: y + 20 }, fmt(s.rps, 0)),
    );
    if (!s.latency) return;
    ['p50', 'p95', 'p99'].forEach((p, j) => {
      const bar = { x: lx, y: y + 5 + j * 8, width: Math.max(1, logX(s.latency[p]) - lx), height: 7, fill: colors[p] };
      out.push(el('rect', bar, el('title', {}, `${p} ${fmt(s.latency[p], 2)} ms`)));
    });
    out.push(el('text', { x: logX(s.latency.p99) + 4, y: y + 20, fill: '#555' }, fmt(s.latency.p99, 1)));
  });
  const ly = bottom + 40;
  const legend = [
    [labelW, '#999', 'baseline'],
    [labelW + 90, '#2a7ab9', 'platform'],
    ...Object.entries(colors).map(([p, c], j) => [lx + j * 60, c, p]),
  ];
  for (const [x, fill, label] of legend) {
    out.push(el('rect', { x, y: ly - 10, width: 12, height: 10, fill }), el('text', { x: x + 16, y: ly }, label));
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

module.exports = { table, svg };
