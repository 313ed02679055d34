import { Field, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '@snaptrack/util-federation';

@ObjectType({ description: 'An API key as listed: never the key itself, only a hint.' })
export class ApiKeyInfo {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() hint: string;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
  @Field(() => Date, { nullable: true }) lastUsedAt: Date | null;
}

@ObjectType({ description: 'A newly issued key. `apiKey` is shown this once and cannot be retrieved again.' })
export class IssuedApiKey {
  @Field(() => ID) keyId: string;
  @Field() apiKey: string;
  @Field(() => ID) accountId: string;
}

@ObjectType()
export class Viewer {
  @Field(() => ID) accountId: string;
  @Field() accountName: string;
  @Field(() => [ApiKeyInfo]) apiKeys: ApiKeyInfo[];
}

@ObjectType({ description: 'A page of API keys (the paging contract of every list)' })
export class ApiKeyConnection {
  @Field(() => [ApiKeyInfo]) nodes: ApiKeyInfo[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int, { description: 'All keys of the list (revoked ones unless excluded), on every page' })
  totalCount: number;
}
