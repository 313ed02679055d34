import { Query, Resolver } from 'type-graphql';
import { TEMPLATES } from './template.catalog';
import { TrafficChannelTemplateType } from './template.type';

@Resolver()
export class TemplateResolver {
  @Query(() => [TrafficChannelTemplateType], { description: 'Built-in traffic channel templates' })
  trafficChannelTemplates(): TrafficChannelTemplateType[] {
    return TEMPLATES;
  }
}
