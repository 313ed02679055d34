import type { DataSource } from 'typeorm';
import { badInput } from '@snaptrack/util-federation';
import { ReportDimension, type ReportFilterInput } from './report.type';

/** Longest range a report covers, in days. */
export const REPORT_MAX_DAYS = 400;
/** More rows than this is an error (narrow the range, the dimensions or filter). */
export const REPORT_MAX_ROWS = 10_000;

export interface ReportRequest {
  accountId: string;
  /** YYYY-MM-DD, inclusive, in `timeZone`. */
  from: string;
  to: string;
  groupBy: ReportDimension[];
  /** IANA name; null/undefined: the account's time zone (accounts have none yet, so UTC). */
  timeZone?: string | null;
  filter?: ReportFilterInput | null;
}

export interface ReportRowData {
  day: string | null;
  hour: number | null;
  campaignId: string | null;
  trafficChannelId: string | null;
  offerId: string | null;
  offerSourceId: string | null;
  conversionTypeId: string | null;
  currency: string | null;
  clicks: number;
  conversions: number;
  revenue: number;
  conversionRate: number | null;
  epc: number | null;
}

export interface ReportData {
  from: string;
  to: string;
  timeZone: string;
  startsAt: Date;
  endsAt: Date;
  groupBy: ReportDimension[];
  rows: ReportRowData[];
  totals: ReportRowData[];
}

/** SQL of each dimension over a rollup table (`$4` is the time zone); conversion type exists only on conversions. */
const DIMENSION_SQL: Record<ReportDimension, string> = {
  [ReportDimension.DAY]: `to_char(bucket AT TIME ZONE $4::text, 'YYYY-MM-DD')`,
  [ReportDimension.HOUR]: `extract(hour FROM bucket AT TIME ZONE $4::text)::int`,
  [ReportDimension.CAMPAIGN]: 'campaign_id',
  [ReportDimension.TRAFFIC_CHANNEL]: 'traffic_channel_id',
  [ReportDimension.OFFER]: 'offer_id',
  [ReportDimension.OFFER_SOURCE]: 'offer_source_id',
  [ReportDimension.CONVERSION_TYPE]: 'conversion_type_id',
};
/** Row fields in a fixed order: the ORDER BY of the report. */
const ORDER: ReportDimension[] = [
  ReportDimension.DAY,
  ReportDimension.HOUR,
  ReportDimension.CAMPAIGN,
  ReportDimension.TRAFFIC_CHANNEL,
  ReportDimension.OFFER,
  ReportDimension.OFFER_SOURCE,
  ReportDimension.CONVERSION_TYPE,
];
const FILTER_SQL: Array<[keyof ReportFilterInput, string, 'both' | 'conversions']> = [
  ['campaignId', 'campaign_id', 'both'],
  ['trafficChannelId', 'traffic_channel_id', 'both'],
  ['offerId', 'offer_id', 'both'],
  ['offerSourceId', 'offer_source_id', 'both'],
  ['conversionTypeId', 'conversion_type_id', 'conversions'],
];

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TZ_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

function parseDay(value: string, field: string): number {
  const m = DAY.exec(value);
  const t = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== value)
    throw badInput(`${field} must be a date YYYY-MM-DD`, field);
  return t;
}

/** The canonical IANA name, or BAD_USER_INPUT. Offsets and abbreviations are refused (PostgreSQL reads them oddly). */
export function resolveTimeZone(name: string): string {
  const bad = () => badInput('timeZone must be an IANA time zone name such as Europe/Berlin or UTC', 'timeZone');
  if (!TZ_NAME.test(name) || name.length > 64) throw bad();
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw bad();
  }
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const dim = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));

/**
 * The `report` query, answered from the rollups (`report_click_rollup`, `report_conversion_rollup`: 15-minute UTC
 * buckets kept up to date by the click and conversion writes), never from the raw rows. The conversion rollup keeps
 * several shards per key (see ROLLUP_SHARDS in conversion.write.ts); every query here sums over them, as `shard` is
 * never a grouping column. A 15-minute bucket lies in one local hour of every zone whose UTC offset is a multiple of
 * 15 minutes (all present-day IANA zones, including +05:30, +05:45, +12:45), so days and hours are exact there.
 */
export class ReportService {
  constructor(private readonly ds: DataSource) {}

  /** The account's time zone. Accounts have no time zone setting yet (gateway), so every account reports in UTC. */
  defaultTimeZone(_accountId: string): string {
    return 'UTC';
  }

  async report(req: ReportRequest): Promise<ReportData> {
    const timeZone = resolveTimeZone(req.timeZone ?? this.defaultTimeZone(req.accountId));
    const fromT = parseDay(req.from, 'from');
    const toT = parseDay(req.to, 'to');
    if (toT < fromT) throw badInput('to must not be before from', 'to');
    if ((toT - fromT) / 86_400_000 + 1 > REPORT_MAX_DAYS)
      throw badInput(`a report covers at most ${REPORT_MAX_DAYS} days`, 'to');
    const groupBy = ORDER.filter((d) => req.groupBy.includes(d));
    const params: unknown[] = [req.accountId, req.from, req.to, timeZone];
    const [{ rows, totals }, [bounds]] = await Promise.all([
      this.query(groupBy, params, req.filter ?? {}),
      this.ds.query(
        `SELECT ($1::date::timestamp AT TIME ZONE $3::text) AS "startsAt",
           (($2::date + 1)::timestamp AT TIME ZONE $3::text) AS "endsAt"`,
        [req.from, req.to, timeZone],
      ) as Promise<Array<{ startsAt: Date; endsAt: Date }>>,
    ]);
    return {
      from: req.from,
      to: req.to,
      timeZone,
      startsAt: bounds.startsAt,
      endsAt: bounds.endsAt,
      groupBy,
      rows,
      totals,
    };
  }

  /**
   * One statement for the rows and the totals. Clicks are grouped by the dimensions except conversion type,
   * conversions and revenue by all of them and the currency; the two are joined on the shared dimensions: each
   * conversion group gets the clicks of its click group, a click group without conversions is one row without
   * currency, conversions without clicks (unattributed, or clicked before the range) are rows with 0 clicks. With a
   * day or hour dimension the rollup rows are first summed per bucket, so the time zone arithmetic runs per bucket
   * and key rather than per rollup row. Totals: all clicks, conversions and revenue per currency.
   */
  private async query(
    groupBy: ReportDimension[],
    base: unknown[],
    filter: ReportFilterInput,
  ): Promise<{ rows: ReportRowData[]; totals: ReportRowData[] }> {
    const params = [...base];
    const clickWhere: string[] = [];
    const convWhere: string[] = [];
    for (const [key, column, scope] of FILTER_SQL) {
      const value = filter[key];
      if (value === null || value === undefined) continue;
      params.push(value);
      convWhere.push(`${column} = $${params.length}`);
      if (scope === 'both') clickWhere.push(`${column} = $${params.length}`);
    }
    const col = (d: ReportDimension) => `d${ORDER.indexOf(d)}`;
    const isTime = (d: ReportDimension) => d === ReportDimension.DAY || d === ReportDimension.HOUR;
    const clickDims = groupBy.filter((d) => d !== ReportDimension.CONVERSION_TYPE);
    const range = `account_id = $1 AND bucket >= ($2::date::timestamp AT TIME ZONE $4::text)
      AND bucket < (($3::date + 1)::timestamp AT TIME ZONE $4::text)`;
    const and = (w: string[]) => w.map((x) => ` AND ${x}`).join('');
    /** Sums `measures` of `table` by `dims` (+ `extra` columns), through per-bucket sums when a dimension is time. */
    const grouped = (table: string, where: string[], dims: ReportDimension[], extra: string[], measures: string[]) => {
      const plain = dims.filter((d) => !isTime(d)).map((d) => DIMENSION_SQL[d]);
      const sums = measures.map((m) => `sum(${m}) AS ${m}`);
      const inner = dims.some(isTime)
        ? `(SELECT ${['bucket', ...plain, ...extra, ...sums].join(', ')} FROM ${table}
            WHERE ${range}${and(where)} GROUP BY ${['bucket', ...plain, ...extra].join(', ')}) AS x`
        : `${table} WHERE ${range}${and(where)}`;
      const keys = [...dims.map((d) => `${DIMENSION_SQL[d]} AS ${col(d)}`), ...extra];
      const positions = keys.map((_, i) => i + 2);
      return `SELECT ${['1 AS g', ...keys, ...sums].join(', ')} FROM ${inner} GROUP BY ${[1, ...positions].join(', ')}`;
    };
    const join = clickDims.map((d) => ` AND c.${col(d)} = v.${col(d)}`).join('');
    const out = groupBy.map((d) =>
      d === ReportDimension.CONVERSION_TYPE ? `v.${col(d)}` : `coalesce(c.${col(d)}, v.${col(d)}) AS ${col(d)}`,
    );
    const order = [...groupBy.map(col), "nullif(currency, '')"].join(', ');
    const sql = `WITH c AS MATERIALIZED (
        ${grouped('report_click_rollup', clickWhere, clickDims, [], ['clicks'])}
      ), v AS MATERIALIZED (
        ${grouped('report_conversion_rollup', convWhere, groupBy, ['currency'], ['conversions', 'revenue'])}
      ), r AS (
        SELECT ${[...out, 'v.currency', 'coalesce(c.clicks, 0) AS clicks', 'v.conversions', 'v.revenue'].join(', ')}
        FROM c FULL JOIN v ON c.g = v.g${join}
        ORDER BY ${order} LIMIT ${REPORT_MAX_ROWS + 1}
      )
      SELECT false AS total, row_number() OVER (ORDER BY ${order}) AS ord, * FROM r
      UNION ALL
      SELECT true, row_number() OVER (ORDER BY nullif(vt.currency, '')), ${groupBy.map(() => 'NULL').join(', ')}
        ${groupBy.length ? ',' : ''} vt.currency, ct.clicks, vt.conversions, vt.revenue
      FROM (SELECT coalesce(sum(clicks), 0) AS clicks FROM c) AS ct
      LEFT JOIN (SELECT currency, sum(conversions) AS conversions, sum(revenue) AS revenue FROM v GROUP BY currency)
        AS vt ON true
      ORDER BY total, ord`;
    let raw: Array<Record<string, unknown>>;
    try {
      raw = await this.ds.query(sql, params);
    } catch (e) {
      // A name ICU knows but this PostgreSQL's time zone database does not.
      if ((e as { code?: string }).code === '22023' && /time zone/i.test(String((e as Error).message)))
        throw badInput('timeZone is not known to the database', 'timeZone');
      throw e;
    }
    const rows = raw.filter((r) => !r.total);
    if (rows.length > REPORT_MAX_ROWS)
      throw badInput(`the report has more than ${REPORT_MAX_ROWS} rows: narrow the range, dimensions or filter`);
    return { rows: rows.map(toRowData), totals: raw.filter((r) => r.total).map(toRowData) };
  }
}

function toRowData(r: Record<string, unknown>): ReportRowData {
  const clicks = num(r.clicks);
  const conversions = num(r.conversions);
  const revenue = num(r.revenue);
  return {
    day: dim(r.d0),
    hour: r.d1 === null || r.d1 === undefined ? null : Number(r.d1),
    campaignId: dim(r.d2),
    trafficChannelId: dim(r.d3),
    offerId: dim(r.d4),
    offerSourceId: dim(r.d5),
    conversionTypeId: dim(r.d6),
    currency: dim(r.currency),
    clicks,
    conversions,
    revenue,
    conversionRate: clicks ? conversions / clicks : null,
    epc: clicks ? revenue / clicks : null,
  };
}
