import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ConnectionArgs, type SubgraphContext } from '@snaptrack/util-federation';
import { mapPage } from '../common/pagination';
import { TrackingDomainService } from './tracking-domain.service';
import { CreateTrackingDomainInput, UpdateTrackingDomainInput } from './tracking-domain.input';
import { TrackingDomainConnection, TrackingDomainType } from './tracking-domain.type';

@Resolver(() => TrackingDomainType)
export class TrackingDomainResolver {
  constructor(private readonly domains: TrackingDomainService) {}

  @Query(() => TrackingDomainConnection, {
    description: 'Your tracking domains, oldest first (orderBy: NEWEST_FIRST to reverse)',
  })
  async trackingDomains(@Ctx() ctx: SubgraphContext, @Args() page: ConnectionArgs) {
    return mapPage(await this.domains.list(ctx.accountId, page), TrackingDomainType.from);
  }

  @Query(() => TrackingDomainType, { nullable: true })
  async trackingDomain(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext) {
    return TrackingDomainType.from(await this.domains.get(ctx.accountId, id));
  }

  @Mutation(() => TrackingDomainType)
  async createTrackingDomain(
    @Arg('input', () => CreateTrackingDomainInput) input: CreateTrackingDomainInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    return TrackingDomainType.from(await this.domains.create(ctx.accountId, input));
  }

  @Mutation(() => TrackingDomainType)
  async updateTrackingDomain(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateTrackingDomainInput) input: UpdateTrackingDomainInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    return TrackingDomainType.from(await this.domains.update(ctx.accountId, id, input));
  }

  @Mutation(() => TrackingDomainType, {
    description:
      'Looks up the TXT record verificationRecord.name and marks the domain VERIFIED when it carries ' +
      'verificationRecord.value; otherwise DOMAIN_VERIFICATION_FAILED (extensions: expected, found)',
  })
  async verifyTrackingDomain(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext) {
    return TrackingDomainType.from(await this.domains.verify(ctx.accountId, id));
  }

  @Mutation(() => ID, { description: 'The default domain can be deleted only when it is the last one' })
  deleteTrackingDomain(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<string> {
    return this.domains.delete(ctx.accountId, id);
  }
}
