import { Column, Entity, PrimaryColumn } from 'typeorm';
import { AccountScopedEntity } from '../common/entity-base';

export type PlacementKind = 'channel' | 'offer';

/**
 * One placement of a Snap pixel: on a traffic channel (its default data source) or on an offer. The access token
 * is held only as AES-256-GCM ciphertext (AAD = this row's id) and never becomes a GraphQL field: see pixel.type.ts.
 */
@Entity({ name: 'pixel' })
export class PixelEntity extends AccountScopedEntity {
  /** Snapchat pixel id (UUID, lowercase). */
  @Column({ name: 'pixel_id', type: 'uuid' })
  pixelId: string;

  @Column({ name: 'placement_kind', type: 'text' })
  placementKind: PlacementKind;

  @Column({ name: 'traffic_channel_id', type: 'uuid', nullable: true })
  trafficChannelId: string | null;

  @Column({ name: 'offer_id', type: 'uuid', nullable: true })
  offerId: string | null;

  @Column({ name: 'token_key_id', type: 'text', nullable: true })
  tokenKeyId: string | null;

  @Column({ name: 'token_ciphertext', type: 'text', nullable: true })
  tokenCiphertext: string | null;

  /** e.g. "****abcd": safe to show. */
  @Column({ name: 'token_hint', type: 'text', nullable: true })
  tokenHint: string | null;

  @Column({ name: 'test_mode', type: 'boolean' })
  testMode: boolean;

  @Column({ name: 'limited_data_use', type: 'boolean' })
  limitedDataUse: boolean;
}

/** Conversion type → Snapchat event name, per placement; a type maps to at most one event name per pixel. */
@Entity({ name: 'pixel_event_mapping' })
export class PixelEventMappingEntity {
  @PrimaryColumn({ name: 'placement_id', type: 'uuid' })
  placementId: string;

  @PrimaryColumn({ name: 'conversion_type_id', type: 'uuid' })
  conversionTypeId: string;

  @Column({ name: 'account_id', type: 'text' })
  accountId: string;

  @Column({ name: 'snap_event_name', type: 'text' })
  snapEventName: string;
}
