import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Only a SHA-256 of the secret part is stored; the key is shown once at creation. */
@Entity({ name: 'api_key' })
export class ApiKey {
  /** Public key id, the part after `stk_` and before the secret. */
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId: string;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'secret_sha256', type: 'text' }) secretSha256: string;
  @Column({ type: 'text' }) hint: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;
}
