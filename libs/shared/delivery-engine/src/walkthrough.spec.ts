// Writing another dispatcher, step by step, against FakeDestination (no broker, no network). This file is shown in
// libs/contracts/events/README.md "Writing another dispatcher"; run it with
//   npx jest -c libs/shared/delivery-engine/jest.config.cjs walkthrough
import { ConversionCreatedV1, DeliveryCommandV1, DeliveryResultV1 } from '@snaptrack/contracts-events';
// In your app: `from '@snaptrack/delivery-engine'` (inside the lib itself the import is relative).
import { CredentialLimits, FakeDestination, deliverBatch, planRetry } from './index';

const SAMPLE_CONVERSION = {
  schema: 'conversion.created.v1',
  conversion_id: '812cc23c-4aaf-4162-9c6c-e3d38f4de13a',
  event_id: 'order-118734',
  account_id: 'aa1469cc-395c-4a2c-902c-6dfb13844578',
  status: 'attributed',
  conversion_type_id: null,
  type: 'Purchase',
  payout: 24.5,
  currency: 'GBP',
  transaction_id: 'ORD-118734',
  occurred_at: '2026-11-28T19:05:04.271Z',
  received_at: '2026-11-28T19:05:04.271Z',
  attribution: {
    campaign_id: '2e9a7715-3981-44b5-b96a-469a4de5f78a',
    traffic_channel_id: '1a60682e-62bd-4e80-9eb6-5edba45c4aec',
    traffic_channel_template: 'custom',
    offer_id: '69a55cee-c068-40aa-b4f1-7eb95490b0e1',
    offer_source_id: null,
  },
  click: null,
  postback_click_id: null,
  user_data: {},
  prehashed: [],
};

it('walk-through: from a conversion.created.v1 message to delivery.result.v1 values', async () => {
  const destination = new FakeDestination(); // your Destination plug-in; its name is your `destination`
  const limits = new CredentialLimits({ concurrencyPerCredential: 2 });

  // 1. Decode what Kafka gave you (a ContractViolation goes to dead-letter.v1 instead); deliver attributed ones only.
  const message = Buffer.from(JSON.stringify(SAMPLE_CONVERSION));
  const conversion = ConversionCreatedV1.contract.decode(message);
  expect(conversion.status).toBe('attributed');

  // 2. Commands: act only on those that name your destination (absent means snapchat-capi, not you).
  const redeliver = DeliveryCommandV1.contract.assert({
    schema: 'delivery.command.v1',
    command_id: 'cmd-1',
    account_id: conversion.account_id,
    kind: 'redeliver',
    conversion_ids: [conversion.conversion_id],
    pixel_id: null,
    requested_at: new Date().toISOString(),
  });
  expect(DeliveryCommandV1.isFor(redeliver, destination.name)).toBe(false); // no destination: Snapchat's
  expect(DeliveryCommandV1.isFor({ ...redeliver, destination: destination.name }, destination.name)).toBe(true);

  // 3. Deliver one claimed batch of one target with its (decrypted) credential: the engine builds, validates,
  //    chunks, sends, splits refused batches and reports each item.
  const result = await deliverBatch(
    destination,
    {
      target: { targetId: 'px-1' },
      credential: 'token-from-your-config',
      items: [{ key: 'ledger-row-1', conversion: { id: conversion.conversion_id, value: conversion.payout } }],
    },
    { limits },
  );
  const [outcome] = result.outcomes;
  expect(outcome).toMatchObject({ status: 'delivered', sent: true });

  // 4. A retryable outcome gets its next attempt from the shared schedule (or gives up at the horizon / age limit).
  const plan = planRetry(
    { attempts: 1, cycleStartedAt: new Date(), now: new Date() },
    { baseMs: 30_000, maxDelayMs: 7_200_000, horizonMs: 14_400_000 },
  );
  expect('retryAt' in plan).toBe(true);

  // 5. Publish every state change on delivery.result.v1 (through your outbox, in the ledger's transaction).
  const value: DeliveryResultV1.Value = {
    schema: 'delivery.result.v1',
    destination: destination.name,
    conversion_id: conversion.conversion_id,
    account_id: conversion.account_id,
    pixel_id: 'px-1',
    status: outcome!.status,
    reason_code: outcome!.reasonCode,
    message: outcome!.message,
    attempts: 1,
    http_status: outcome!.httpStatus,
    event_name: 'purchase',
    event_id: outcome!.eventId,
    test_mode: false,
    placements: ['channel'],
    next_attempt_at: null,
    delivered_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    revision: 2,
    command_id: null,
  };
  expect(() => DeliveryResultV1.contract.assert(value)).not.toThrow();
  expect(DeliveryResultV1.keyOf(value)).toBe(conversion.conversion_id);
});
