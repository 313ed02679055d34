import { Field, InputType } from 'type-graphql';
import { requiredText } from '../common/text';
import { ConversionDuplicatePolicy } from './conversion-type.type';

@InputType('CreateConversionTypeInput')
export class CreateConversionTypeInput {
  @Field({ description: 'Case-sensitive, unique per account; leading/trailing spaces are removed' }) name: string;
  @Field(() => ConversionDuplicatePolicy, { nullable: true, description: 'Defaults to CREATE' })
  duplicatePolicy?: ConversionDuplicatePolicy | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Make it the default type (the previous default stops being one)',
  })
  isDefault?: boolean | null;
}

@InputType('UpdateConversionTypeInput')
export class UpdateConversionTypeInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => ConversionDuplicatePolicy, { nullable: true }) duplicatePolicy?: ConversionDuplicatePolicy | null;
  @Field(() => Boolean, { nullable: true }) isDefault?: boolean | null;
}

export const MAX_CONVERSION_TYPES = 40;

export function conversionTypeName(v: string | null | undefined): string {
  return requiredText(v, 'name', 'Conversion type name', 100);
}
