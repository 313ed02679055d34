// Where the end-to-end time goes: each open-loop conversion's path split into four stages, from the timestamps the
// platform already stores (all clocks are this machine's):
//   postback  scheduled send time → the conversion's outbox row written (outbox_message.created_at, conversion-service)
//   relay     outbox row written → claimed by the outbox relay (outbox_message.sent_at: the relay's transaction start,
//             before the produce)
//   kafka     relay claim → the dispatcher's ledger transaction (conversion.consumed_at: produce with acks -1, the
//             relay's commit, the dispatcher's fetch and decode)
//   sender    ledger transaction → the sandbox recorded the event (linger, claim, rate limit, the Snap request)
// Postgres' now() is the transaction's start, so each boundary is dated when that step began.
const { summarize, round } = require('./stats');

async function query(url, sql, params) {
  const { Client } = require('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/**
 * `events`: the sandbox's events of the run ({ event_id, received_at_ms }); `scheduledAt(eventId)`: the epoch ms the
 * postback was due. Returns per-stage summaries over every event, and each stage's mean over the slowest 1 % (the
 * events at or above the end-to-end p99), which says which stage the tail comes from.
 */
async function stageBreakdown({ conversionDbUrl, dispatcherDbUrl, topic, eventIdPrefix, events, scheduledAt }) {
  const like = `${eventIdPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const outbox = await query(
    conversionDbUrl,
    `SELECT c.event_id, (extract(epoch FROM o.created_at) * 1000)::float8 AS created,
            (extract(epoch FROM o.sent_at) * 1000)::float8 AS sent
       FROM conversion c JOIN outbox_message o ON o.key = c.id::text AND o.topic = $1
      WHERE c.event_id LIKE $2`,
    [topic, like],
  );
  const ledger = await query(
    dispatcherDbUrl,
    `SELECT event_id, (extract(epoch FROM consumed_at) * 1000)::float8 AS consumed FROM conversion
      WHERE event_id LIKE $1`,
    [like],
  );
  const byId = new Map(outbox.map((r) => [r.event_id, { created: r.created, sent: r.sent }]));
  for (const r of ledger) if (byId.has(r.event_id)) byId.get(r.event_id).consumed = r.consumed;
  const rows = [];
  for (const e of events) {
    const s = byId.get(e.event_id);
    if (!s || s.sent == null || s.consumed == null) continue;
    const due = scheduledAt(e.event_id);
    rows.push({
      total: e.received_at_ms - due,
      postback: s.created - due,
      relay: s.sent - s.created,
      kafka: s.consumed - s.sent,
      sender: e.received_at_ms - s.consumed,
    });
  }
  if (!rows.length) return null;
  const names = ['postback', 'relay', 'kafka', 'sender'];
  const cut = summarize(rows.map((r) => r.total)).p99;
  const tail = rows.filter((r) => r.total >= cut);
  const mean = (list, k) => round(list.reduce((a, r) => a + r[k], 0) / list.length);
  return {
    events: rows.length,
    stages: Object.fromEntries(names.map((k) => [k, summarize(rows.map((r) => Math.max(0, r[k])))])),
    slowest1pct: {
      events: tail.length,
      totalMeanMs: mean(tail, 'total'),
      ...Object.fromEntries(names.map((k) => [k, mean(tail, k)])),
    },
  };
}

/** One line per stage for the report. */
function stageLines(b) {
  if (!b) return [];
  const line = (k) => {
    const s = b.stages[k];
    return (
      `  ${k.padEnd(9)} p50 ${String(s.p50).padStart(8)} ms  p99 ${String(s.p99).padStart(8)} ms  ` +
      `(slowest 1 %: ${b.slowest1pct[k]} ms)`
    );
  };
  return [
    `end to end by stage (${b.events} events; the slowest 1 % took ${b.slowest1pct.totalMeanMs} ms on average):`,
    ...Object.keys(b.stages).map(line),
  ];
}

module.exports = { stageBreakdown, stageLines };
