import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ConnectionArgs, type SubgraphContext } from '@snaptrack/util-federation';
import { mapPage } from '../common/pagination';
import { ConversionTypeService } from './conversion-type.service';
import { CreateConversionTypeInput, UpdateConversionTypeInput } from './conversion-type.input';
import { ConversionTypeConnection, ConversionTypeType } from './conversion-type.type';

@Resolver(() => ConversionTypeType)
export class ConversionTypeResolver {
  constructor(private readonly types: ConversionTypeService) {}

  @Query(() => ConversionTypeConnection, {
    description: "The account's conversion types (at most 40), oldest first (orderBy: NEWEST_FIRST to reverse)",
  })
  async conversionTypes(@Ctx() ctx: SubgraphContext, @Args() page: ConnectionArgs) {
    return mapPage(await this.types.list(ctx.accountId, page), ConversionTypeType.from);
  }

  @Query(() => ConversionTypeType, { nullable: true })
  async conversionType(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext) {
    return ConversionTypeType.from(await this.types.get(ctx.accountId, id));
  }

  @Mutation(() => ConversionTypeType)
  async createConversionType(
    @Arg('input', () => CreateConversionTypeInput) input: CreateConversionTypeInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    return ConversionTypeType.from(await this.types.create(ctx.accountId, input));
  }

  @Mutation(() => ConversionTypeType)
  async updateConversionType(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateConversionTypeInput) input: UpdateConversionTypeInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    return ConversionTypeType.from(await this.types.update(ctx.accountId, id, input));
  }

  @Mutation(() => ID, { description: 'Refused (CONFLICT) while a pixel maps it or it is the default' })
  deleteConversionType(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<string> {
    return this.types.delete(ctx.accountId, id);
  }
}
