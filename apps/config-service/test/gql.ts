import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { gqlAs } from '@snaptrack/util-testing';

export type GqlResult = Awaited<ReturnType<typeof gqlAs>>;

/** Every response body seen by a suite, for "the token never appears in any response" checks. */
export const responses: string[] = [];

export async function gql(
  url: string,
  accountId: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResult> {
  const res = await gqlAs(url, accountId, query, variables);
  responses.push(JSON.stringify(res));
  return res;
}

/** Asserts success and returns `data`. */
export async function ok(
  url: string,
  accountId: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<any> {
  const res = await gql(url, accountId, query, variables);
  if (res.errors?.length) throw new Error(`unexpected GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** Asserts exactly one error with `code` and returns it. */
export async function fails(
  url: string,
  accountId: string,
  query: string,
  variables: Record<string, unknown>,
  code: string,
) {
  const res = await gql(url, accountId, query, variables);
  if (!res.errors?.length) throw new Error(`expected ${code}, got data ${JSON.stringify(res.data)}`);
  expect(res.errors).toHaveLength(1);
  expect(res.errors[0].extensions?.code).toBe(code);
  return res.errors[0];
}

export const newPixelId = () => randomUUID();

export const PIXEL_FIELDS = `id pixelId placement trafficChannelId offerId hasToken tokenHint testMode limitedDataUse
  version
  eventMapping { conversionTypeId snapEventName conversionType { id name } }`;

export const M = {
  createChannel: `mutation($input: CreateTrafficChannelInput!) { createTrafficChannelFromTemplate(input: $input) {
    id name templateKey clickIdParam parameters { name value } integrationStatus version pixel { id } } }`,
  createType:
    `mutation($input: CreateConversionTypeInput!) { createConversionType(input: $input) { id name ` +
    `duplicatePolicy isDefault version } }`,
  setChannelPixel:
    `mutation($channelId: ID!, $input: PixelInput!) { setChannelPixel(channelId: $channelId, input: ` +
    `$input) { ${PIXEL_FIELDS} } }`,
  addOfferPixel:
    `mutation($offerId: ID!, $input: PixelInput!) { addOfferPixel(offerId: $offerId, input: $input) { ` +
    `${PIXEL_FIELDS} } }`,
  updatePixel:
    `mutation($id: ID!, $input: UpdatePixelInput!) { updatePixel(id: $id, input: $input) { ` + `${PIXEL_FIELDS} } }`,
  createSource: `mutation($input: CreateOfferSourceInput!) { createOfferSource(input: $input) {
    id name clickIdParam payoutParam typeParam eventIdParam currencyParam additionalParameters { param role }
    hasPostbackToken postbackTokenHint clickExpirationDays defaultCurrency defaultPhoneCountry postbackUrl version
    postbackSecret postbackSecretHint isOpen postbackSecurity } }`,
  createOffer:
    `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id name url offerSourceId ` + `version } }`,
  createDomain:
    `mutation($input: CreateTrackingDomainInput!) { createTrackingDomain(input: $input) { id hostname ` +
    `isDefault version } }`,
};

/** A small fixture: a Snapchat channel, two conversion types, an offer source and an offer. */
export async function seedBasics(url: string, accountId: string) {
  const channel = (await ok(url, accountId, M.createChannel, { input: { templateKey: 'snapchat' } }))
    .createTrafficChannelFromTemplate;
  const purchase = (await ok(url, accountId, M.createType, { input: { name: 'Purchase' } })).createConversionType;
  const lead = (await ok(url, accountId, M.createType, { input: { name: 'Lead' } })).createConversionType;
  const source = (await ok(url, accountId, M.createSource, { input: { name: 'Network' } })).createOfferSource;
  const offer = (
    await ok(url, accountId, M.createOffer, {
      input: { name: 'Offer', url: 'https://offer.example.com/?c={clickid}', offerSourceId: source.id },
    })
  ).createOffer;
  return { channel, purchase, lead, source, offer };
}

export const TABLES = [
  'traffic_channel',
  'conversion_type',
  'pixel',
  'pixel_event_mapping',
  'offer_source',
  'offer',
  'tracking_domain',
  'outbox_message',
] as const;

/** Row counts and a digest of every row of every table: "nothing changed" means this is equal before and after. */
export async function dbState(ds: DataSource): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    // The relay setting outbox sent_at in the background is not a change made by the mutation under test.
    const from = t === 'outbox_message' ? '(SELECT id, topic, key, payload FROM outbox_message) x' : `${t} x`;
    const [{ n, digest }] = await ds.query(
      `SELECT count(*)::int AS n, coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS digest FROM ${from}`,
    );
    out[t] = `${n}:${digest}`;
  }
  return out;
}
