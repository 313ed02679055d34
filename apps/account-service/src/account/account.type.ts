import { Field, ID, ObjectType } from 'type-graphql';

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
