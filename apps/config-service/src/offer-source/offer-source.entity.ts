import { Column, Entity } from 'typeorm';
import type { PiiRole } from '@snaptrack/util-pii';
import { AccountScopedEntity } from '../common/entity-base';

export interface AdditionalParameter {
  param: string;
  role: PiiRole;
}

@Entity({ name: 'offer_source' })
export class OfferSourceEntity extends AccountScopedEntity {
  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'click_id_param', type: 'text' })
  clickIdParam: string;

  @Column({ name: 'payout_param', type: 'text' })
  payoutParam: string;

  @Column({ name: 'type_param', type: 'text' })
  typeParam: string;

  @Column({ name: 'event_id_param', type: 'text' })
  eventIdParam: string;

  @Column({ name: 'currency_param', type: 'text' })
  currencyParam: string;

  @Column({ name: 'additional_params', type: 'jsonb' })
  additionalParams: AdditionalParameter[];

  /** Only the SHA-256 (hex) of the postback token is kept; the token itself is never stored. */
  @Column({ name: 'postback_token_sha256', type: 'text', nullable: true })
  postbackTokenSha256: string | null;

  @Column({ name: 'postback_token_hint', type: 'text', nullable: true })
  postbackTokenHint: string | null;

  @Column({ name: 'click_expiration_days', type: 'int' })
  clickExpirationDays: number;

  @Column({ name: 'default_currency', type: 'text' })
  defaultCurrency: string;

  @Column({ name: 'default_phone_country', type: 'text', nullable: true })
  defaultPhoneCountry: string | null;
}
