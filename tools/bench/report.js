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

/** A two-panel horizontal bar chart: throughput (linear) and p50/p95/p99 latency (log scale). */
function svg(result) {
  const rows = result.scenarios;
  const rowH = 34;
  const labelW = 330;
  const panelW = 420;
  const gap = 60;
  const top = 70;
  const width = labelW + panelW * 2 + gap + 40;
  const height = top + rows.length * rowH + 60;
  const maxRps = Math.max(1, ...rows.map((s) => s.rps || 0));
  const lats = rows
    .flatMap((s) => (s.latency ? [s.latency.p50, s.latency.p95, s.latency.p99] : []))
    .filter((x) => x > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...lats, 1))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...lats, 10))));
  const lx = labelW + panelW + gap;
  const logX = (v) => lx + (Math.log10(Math.max(v, lo) / lo) / Math.log10(hi / lo)) * panelW;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">npm run bench — ${esc(result.date)}${result.quick ? ' (BENCH_QUICK: not a measurement)' : ''}</text>`,
    `<text x="10" y="40" fill="#555">${esc(`${result.machine.cores} cores, ${fmt(result.machine.memoryGiB)} GiB, node ${result.machine.node}`)}</text>`,
    `<text x="${labelW}" y="${top - 12}" font-weight="bold">throughput (req/s, linear)</text>`,
    `<text x="${lx}" y="${top - 12}" font-weight="bold">latency ms (log): p50 · p95 · p99</text>`,
  );
  // latency grid
  for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)); e++) {
    const v = Math.pow(10, e);
    const x = logX(v);
    out.push(
      `<line x1="${x}" y1="${top}" x2="${x}" y2="${top + rows.length * rowH}" stroke="#ddd"/>`,
      `<text x="${x}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${v >= 1 ? v : v.toFixed(2)}</text>`,
    );
  }
  const colors = { p50: '#4c9be8', p95: '#f0a830', p99: '#d9534f' };
  rows.forEach((s, i) => {
    const y = top + i * rowH;
    const w = ((s.rps || 0) / maxRps) * panelW;
    out.push(
      `<text x="${labelW - 8}" y="${y + 20}" text-anchor="end">${esc(s.name)}</text>`,
      `<rect x="${labelW}" y="${y + 6}" width="${w.toFixed(1)}" height="20" fill="${s.kind === 'baseline' ? '#999' : '#2a7ab9'}"/>`,
      `<text x="${labelW + w + 4}" y="${y + 20}">${fmt(s.rps, 0)}</text>`,
    );
    if (s.latency) {
      ['p50', 'p95', 'p99'].forEach((p, j) => {
        const x2 = logX(s.latency[p]);
        out.push(
          `<rect x="${lx}" y="${y + 5 + j * 8}" width="${Math.max(1, x2 - lx).toFixed(1)}" height="7" fill="${colors[p]}"><title>${p} ${fmt(s.latency[p], 2)} ms</title></rect>`,
        );
      });
      out.push(`<text x="${logX(s.latency.p99) + 4}" y="${y + 20}" fill="#555">${fmt(s.latency.p99, 1)}</text>`);
    }
  });
  const ly = top + rows.length * rowH + 40;
  out.push(
    `<rect x="${labelW}" y="${ly - 10}" width="12" height="10" fill="#999"/><text x="${labelW + 16}" y="${ly}">baseline</text>`,
    `<rect x="${labelW + 90}" y="${ly - 10}" width="12" height="10" fill="#2a7ab9"/><text x="${labelW + 106}" y="${ly}">platform</text>`,
    ...Object.entries(colors).map(
      ([p, c], j) =>
        `<rect x="${lx + j * 60}" y="${ly - 10}" width="12" height="10" fill="${c}"/><text x="${lx + j * 60 + 16}" y="${ly}">${p}</text>`,
    ),
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}

module.exports = { table, svg };
