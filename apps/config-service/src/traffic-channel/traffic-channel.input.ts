import { Field, InputType } from 'type-graphql';
import { badInput } from '@snaptrack/util-federation';
import { assertDistinct, paramName, requiredText } from '../common/text';
import type { ChannelParameter } from './traffic-channel.entity';

@InputType('TrafficChannelParameterInput')
export class TrafficChannelParameterInput {
  @Field() name: string;
  @Field() value: string;
}

@InputType('CreateTrafficChannelInput')
export class CreateTrafficChannelInput {
  @Field({ description: 'A key from trafficChannelTemplates, e.g. "snapchat" or "custom"' }) templateKey: string;
  @Field(() => String, { nullable: true, description: "Defaults to the template's name" }) name?: string | null;
  @Field(() => [TrafficChannelParameterInput], {
    nullable: true,
    description:
      "The channel's full parameter list; defaults to the template's parameters (pre-fill an editor from the template)",
  })
  parameters?: TrafficChannelParameterInput[] | null;
}

@InputType('UpdateTrafficChannelInput')
export class UpdateTrafficChannelInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true, description: 'Click-id parameter; an empty string clears it' }) clickIdParam?:
    string | null;
  @Field(() => [TrafficChannelParameterInput], { nullable: true, description: 'Replaces the parameter list' })
  parameters?: TrafficChannelParameterInput[] | null;
}

export const MAX_CHANNEL_PARAMETERS = 30;

export function channelName(v: string | null | undefined): string {
  return requiredText(v, 'name', 'Traffic channel name');
}

export function channelParameters(list: TrafficChannelParameterInput[]): ChannelParameter[] {
  if (list.length > MAX_CHANNEL_PARAMETERS)
    throw badInput(`A traffic channel has at most ${MAX_CHANNEL_PARAMETERS} parameters`, 'parameters');
  const out = list.map((p) => ({
    name: paramName(p.name, 'parameters', 'Parameter name'),
    value: (p.value ?? '').trim(),
  }));
  for (const p of out) {
    if (p.value.length > 500)
      throw badInput(`The value of parameter "${p.name}" must be at most 500 characters`, 'parameters');
  }
  assertDistinct(
    out.map((p) => p.name),
    'parameters',
    'Parameter',
  );
  return out;
}

export function clickIdParam(v: string): string | null {
  return v.trim() === '' ? null : paramName(v, 'clickIdParam', 'Click-id parameter');
}
