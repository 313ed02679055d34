import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ConnectionPage, SubgraphContext } from '@snaptrack/util-federation';
import { ConnectionArgs, badInput, notFound, userError } from '@snaptrack/util-federation';
import { AccountService } from './account.service';
import { ApiKeyConnection, ApiKeyInfo, IssuedApiKey, Viewer } from './account.type';
import type { ApiKey } from './api-key.entity';

/** The identity the gateway signs for ADMIN_API_KEY (POST /internal/authenticate answers it for that key). */
export const ADMIN_IDENTITY = 'admin';

function requireAccount(ctx: SubgraphContext): string {
  if (ctx.accountId === ADMIN_IDENTITY)
    throw userError('FORBIDDEN', 'The admin key manages accounts; use an account API key for this operation');
  return ctx.accountId;
}

@Resolver()
export class AccountResolver {
  constructor(private readonly accounts: AccountService) {}

  @Query(() => Viewer, { description: 'The calling account and its API keys (hints only)' })
  async viewer(@Ctx() ctx: SubgraphContext): Promise<Viewer> {
    const accountId = requireAccount(ctx);
    const account = await this.accounts.get(accountId);
    if (!account) throw notFound('Account', accountId);
    return { accountId, accountName: account.name, apiKeys: (await this.accounts.list(accountId)) as ApiKeyInfo[] };
  }

  @Mutation(() => IssuedApiKey, { description: 'Issues an additional API key for the calling account' })
  async createApiKey(@Arg('name', () => String) name: string, @Ctx() ctx: SubgraphContext): Promise<IssuedApiKey> {
    const accountId = requireAccount(ctx);
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) throw badInput('name must be 1-100 characters', 'name');
    return this.accounts.issue(accountId, trimmed);
  }

  @Mutation(() => Boolean, {
    description: 'Revokes one of the calling account’s keys (the gateway forgets it within its key cache TTL, 30 s)',
  })
  async revokeApiKey(@Arg('keyId', () => ID) keyId: string, @Ctx() ctx: SubgraphContext): Promise<boolean> {
    const accountId = requireAccount(ctx);
    if (!(await this.accounts.revoke(accountId, keyId))) throw notFound('Active API key', keyId);
    return true;
  }

  @Mutation(() => IssuedApiKey, { description: 'Replaces a key: issues a new one and revokes the old one atomically' })
  async rotateApiKey(@Arg('keyId', () => ID) keyId: string, @Ctx() ctx: SubgraphContext): Promise<IssuedApiKey> {
    const accountId = requireAccount(ctx);
    const issued = await this.accounts.rotate(accountId, keyId);
    if (!issued) throw notFound('Active API key', keyId);
    return issued;
  }

  @Mutation(() => IssuedApiKey, { description: 'Admin only (ADMIN_API_KEY): creates an account and its first key' })
  async adminCreateAccount(
    @Arg('name', () => String) name: string,
    @Ctx() ctx: SubgraphContext,
  ): Promise<IssuedApiKey> {
    if (ctx.accountId !== ADMIN_IDENTITY) throw userError('FORBIDDEN', 'Only the admin key can create accounts');
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) throw badInput('name must be 1-200 characters', 'name');
    const { key } = await this.accounts.createAccount(trimmed);
    return key;
  }
}

/** Viewer's paged fields. */
@Resolver(() => Viewer)
export class ViewerResolver {
  constructor(private readonly accounts: AccountService) {}

  @FieldResolver(() => ApiKeyConnection, {
    description: 'The API keys as a connection (paging contract of docs/api.md), oldest first (hints only)',
  })
  apiKeysConnection(
    @Root() viewer: Viewer,
    @Args() page: ConnectionArgs,
    @Arg('includeRevoked', () => Boolean, { defaultValue: true }) includeRevoked: boolean,
  ): Promise<ConnectionPage<ApiKey>> {
    return this.accounts.page(viewer.accountId, page, includeRevoked);
  }
}
