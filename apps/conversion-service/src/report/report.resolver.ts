import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { SubgraphContext } from '@snaptrack/util-federation';
import { ref } from '../federation/stubs.type';
import type { ReportRowData, ReportService } from './report.service';
import { ReportDimension, ReportFilterInput, ReportRowType, ReportType } from './report.type';

function toRow(r: ReportRowData): ReportRowType {
  return Object.assign(new ReportRowType(), {
    ...r,
    campaign: ref(r.campaignId),
    trafficChannel: ref(r.trafficChannelId),
    offer: ref(r.offerId),
    offerSource: ref(r.offerSourceId),
    conversionType: ref(r.conversionTypeId),
  });
}

@Resolver(() => ReportType)
export class ReportResolver {
  constructor(private readonly reports: ReportService) {}

  @Query(() => ReportType, {
    description:
      'Clicks, conversions, revenue, conversion rate and EPC of the caller, grouped by any of the dimensions and by ' +
      'currency, for the days from..to (inclusive) in `timeZone` (IANA name; default: the account time zone, UTC ' +
      'as accounts have none yet). Served from 15-minute rollups: exact for zones whose offset is a multiple of ' +
      '15 minutes. Clicks count at their click time, conversions at the time their postback was received',
  })
  async report(
    @Ctx() ctx: SubgraphContext,
    @Arg('from', () => String, { description: 'First day, YYYY-MM-DD' }) from: string,
    @Arg('to', () => String, { description: 'Last day (inclusive), YYYY-MM-DD' }) to: string,
    @Arg('groupBy', () => [ReportDimension], { defaultValue: [] }) groupBy: ReportDimension[],
    @Arg('timeZone', () => String, { nullable: true }) timeZone?: string | null,
    @Arg('filter', () => ReportFilterInput, { nullable: true }) filter?: ReportFilterInput | null,
  ): Promise<ReportType> {
    const data = await this.reports.report({ accountId: ctx.accountId, from, to, groupBy, timeZone, filter });
    return Object.assign(new ReportType(), { ...data, rows: data.rows.map(toRow), totals: data.totals.map(toRow) });
  }
}
