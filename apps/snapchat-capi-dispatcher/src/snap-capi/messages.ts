import type { AppError } from '@snaptrack/util-errors';

/**
 * What a person reads on a delivery (`delivery.result.v1` `message`) when Snapchat's side needs their action: the
 * Snapchat-specific sentences of the dispatcher, kept apart from the sender's scheduling. Never a token or a value of
 * the event.
 */

export function authFailureMessage(pixelId: string, e: AppError): { reasonCode: string; message: string } {
  const snap = e.message ? ` (Snapchat: ${e.message})` : '';
  if (e.code === 'pixel_not_found') {
    return {
      reasonCode: 'pixel_not_found',
      message:
        `Snapchat does not know pixel ${pixelId}: check the Pixel ID in Snap Ads Manager → Assets → ` +
        `Pixels and save it on the pixel, then re-deliver.${snap}`,
    };
  }
  if (e.httpStatus === 403) {
    return {
      reasonCode: 'invalid_authentication',
      message:
        `The access token's organisation does not own pixel ${pixelId}: generate a Conversions API token ` +
        `in the Business Manager of the organisation that owns the pixel, save it on the pixel, then ` +
        `re-deliver.${snap}`,
    };
  }
  return {
    reasonCode: 'invalid_authentication',
    message:
      `Snapchat rejected the access token for pixel ${pixelId}: generate a new Conversions API token in ` +
      `Business Manager and save it on the pixel, then re-deliver.${snap}`,
  };
}

export const TEST_MODE_NOTE =
  "Test mode: sent to Snapchat's validate endpoint, which checked the event and recorded nothing.";

export function joinNotes(...notes: Array<string | null>): string | null {
  const n = notes.filter((x): x is string => !!x);
  return n.length ? n.join(' ') : null;
}

export const conversionMissingMessage = (): string => 'The conversion is missing from the dispatcher database.';

export const pixelRemovedMessage = (pixelId: string): string =>
  `Pixel ${pixelId} is no longer set on this conversion's traffic channel or offer, so nothing was sent.`;

export const notMappedMessage = (type: string, pixelId: string): string =>
  `Conversion type "${type}" is not mapped to a Snapchat event on pixel ${pixelId}, so nothing was sent.`;

export const missingTokenMessage = (pixelId: string): string =>
  `Pixel ${pixelId} has no Conversions API access token: generate one in Snap Business ` +
  `Manager, save it on the pixel, then re-deliver.`;

export const tokenUnreadableMessage = (pixelId: string): string =>
  `The access token of pixel ${pixelId} could not be decrypted with this dispatcher's ` +
  `TOKEN_ENCRYPTION_KEYS: save the token on the pixel again, then re-deliver.`;

export const horizonMessage = (horizonMs: number, attempts: number, last: string): string =>
  `Snapchat did not accept the event within ${Math.round(horizonMs / 60000)} minutes ` +
  `(${attempts} attempts; last: ${last}). Re-deliver to try again.`;

export const tooOldMessage = (attempts: number, last: string | null): string =>
  last !== null
    ? `The conversion would be more than 37 days old (Snapchat's limit) by its next attempt, so it was ` +
      `not sent again (${attempts} attempts; last: ${last}).`
    : "The conversion became more than 37 days old (Snapchat's limit) while waiting to be sent, so it was not sent.";
