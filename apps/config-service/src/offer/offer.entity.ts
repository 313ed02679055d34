import { Column, Entity } from 'typeorm';
import { AccountScopedEntity } from '../common/entity-base';

@Entity({ name: 'offer' })
export class OfferEntity extends AccountScopedEntity {
  @Column({ type: 'text' })
  name: string;

  /** Absolute http(s) URL: an offer's contains the {clickid} macro; a website's is its landing page. */
  @Column({ type: 'text' })
  url: string;

  @Column({ name: 'offer_source_id', type: 'uuid' })
  offerSourceId: string;

  /** OFFER (a network's offer, postbacks) or WEBSITE (the advertiser's own site). */
  @Column({ type: 'text', default: 'OFFER' })
  kind: OfferKind;

  /** Website only: the hostname of `url` (lowercase). */
  @Column({ type: 'text', nullable: true })
  domain: string | null;

  /** Website only: origins whose pages may report conversions from the browser. */
  @Column({ name: 'allowed_origins', type: 'text', array: true, default: () => "'{}'" })
  allowedOrigins: string[];

  /** Website only: SHA-256 of the server-to-server conversion secret (the secret is shown once, never stored). */
  @Column({ name: 'conversion_secret_sha256', type: 'text', nullable: true })
  conversionSecretSha256: string | null;

  @Column({ name: 'conversion_secret_hint', type: 'text', nullable: true })
  conversionSecretHint: string | null;
}

export type OfferKind = 'OFFER' | 'WEBSITE';
