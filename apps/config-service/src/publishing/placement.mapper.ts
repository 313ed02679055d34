import { DeliveryCommandV1, type ConfigEntityV1, type PlacementV1 } from '@snaptrack/contracts-events';

/**
 * Pure: a `pixel` entity of config.entity.v1 → the same placement on placement.v1 (destination `snapchat-capi`),
 * published in the same outbox transaction during the notice period of the migration (contracts README, "Another
 * network's pixel and token"). Same id, version and time; a deletion stays a deletion (`data: null`). The token
 * ciphertext is carried unchanged: its AAD is the placement id on both topics.
 */
export function placementOf(pixel: ConfigEntityV1.Value & { entity_type: 'pixel' }): PlacementV1.Value {
  const d = pixel.data;
  return {
    schema: 'placement.v1',
    id: pixel.id,
    account_id: pixel.account_id,
    version: pixel.version,
    deleted: pixel.deleted,
    updated_at: pixel.updated_at,
    data:
      pixel.deleted || !d
        ? null
        : {
            destination: DeliveryCommandV1.SNAPCHAT_CAPI_DESTINATION,
            target_id: d.pixel_id,
            placement: d.placement,
            credential: d.token,
            test_mode: d.test_mode,
            event_mapping: d.event_mapping,
            settings: { limited_data_use: d.limited_data_use },
          },
  };
}
