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

  /** Only the SHA-256 (hex) of the postback secret (formerly "token") is kept; the secret is never stored. */
  @Column({ name: 'postback_token_sha256', type: 'text', nullable: true })
  postbackTokenSha256: string | null;

  @Column({ name: 'postback_token_hint', type: 'text', nullable: true })
  postbackTokenHint: string | null;

  /** SHA-256 of the secret before the last rotation, accepted until `previousPostbackTokenExpiresAt`. */
  @Column({ name: 'previous_postback_token_sha256', type: 'text', nullable: true })
  previousPostbackTokenSha256: string | null;

  @Column({ name: 'previous_postback_token_expires_at', type: 'timestamptz', precision: 3, nullable: true })
  previousPostbackTokenExpiresAt: Date | null;

  /** Explicit opt-out: postbacks without a secret are accepted (a wrong secret is still refused). */
  @Column({ name: 'accept_unsigned_postbacks', type: 'boolean' })
  acceptUnsignedPostbacks: boolean;

  @Column({ name: 'click_expiration_days', type: 'int' })
  clickExpirationDays: number;

  @Column({ name: 'default_currency', type: 'text' })
  defaultCurrency: string;

  @Column({ name: 'default_phone_country', type: 'text', nullable: true })
  defaultPhoneCountry: string | null;
}
