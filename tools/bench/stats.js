// Latency summaries from an HDR histogram (hdr-histogram-js), in milliseconds. Values are recorded in microseconds.
const hdr = require('hdr-histogram-js');

/** 1 µs … 10 min, 3 significant digits. */
function histogram() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600e6, numberOfSignificantValueDigits: 3 });
}

/** Records a latency given in milliseconds (clamped into the histogram's range). */
function recordMs(h, ms) {
  h.recordValue(Math.min(600e6, Math.max(1, Math.round(ms * 1000))));
}

const round = (x) => Math.round(x * 100) / 100;

/** { count, p50, p95, p99, max, mean } in ms, or null when nothing was recorded. */
function summary(h) {
  if (!h.totalCount) return null;
  const at = (p) => round(h.getValueAtPercentile(p) / 1000);
  return {
    count: h.totalCount,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: round(h.maxValue / 1000),
    mean: round(h.mean / 1000),
  };
}

/** summary() of a list of millisecond values. */
function summarize(valuesMs) {
  const h = histogram();
  for (const v of valuesMs) recordMs(h, v);
  return summary(h);
}

module.exports = { histogram, recordMs, summary, summarize, round };
