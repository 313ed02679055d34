import { Field, ObjectType } from 'type-graphql';

@ObjectType('TemplateParameter')
export class TemplateParameterType {
  @Field() name: string;
  @Field() value: string;
  @Field() description: string;
}

@ObjectType('TrafficChannelTemplate')
export class TrafficChannelTemplateType {
  @Field() key: string;
  @Field() name: string;
  @Field(() => String, { nullable: true }) clickIdParam: string | null;
  @Field() supportsCapi: boolean;
  @Field(() => [TemplateParameterType]) parameters: TemplateParameterType[];
}
