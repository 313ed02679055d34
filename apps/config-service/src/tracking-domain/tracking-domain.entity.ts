import { Column, Entity } from 'typeorm';
import { AccountScopedEntity } from '../common/entity-base';

export type VerificationStatus = 'PENDING' | 'VERIFIED';

@Entity({ name: 'tracking_domain' })
export class TrackingDomainEntity extends AccountScopedEntity {
  /** Lowercase, no trailing dot; unique across all accounts (index on lower(hostname)). */
  @Column({ type: 'text' })
  hostname: string;

  @Column({ name: 'is_default', type: 'boolean' })
  isDefault: boolean;

  /** Random, per domain; the account proves control with a TXT record carrying it. */
  @Column({ name: 'verification_token', type: 'text' })
  verificationToken: string;

  @Column({ name: 'verification_status', type: 'text' })
  verificationStatus: VerificationStatus;

  @Column({ name: 'verified_at', type: 'timestamptz', precision: 3, nullable: true })
  verifiedAt: Date | null;
}
