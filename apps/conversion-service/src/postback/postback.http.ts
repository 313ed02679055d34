import type { ServerResponse } from 'node:http';
import { sendJson } from '@snaptrack/util-http';
import type { ParseErrorCode } from './postback.params';
import type { PostbackOutcome, PostbackRejectionCode } from './postback.service';

/** Every reason a postback or website conversion is refused, as the routes answer it. */
export type RefusalCode = ParseErrorCode | PostbackRejectionCode | 'domain_not_verified' | 'rate_limited';

/** The one place that knows which status each refusal is answered with. */
const STATUS: Record<RefusalCode, 400 | 401 | 403 | 404 | 413 | 415 | 429> = {
  invalid_encoding: 400,
  invalid_json: 400,
  missing_click_id: 400,
  malformed_click_id: 400,
  malformed_payout: 400,
  malformed_currency: 400,
  withdrawn_currency: 400,
  malformed_event_id: 400,
  unknown_type: 400,
  missing_type: 400,
  missing_secret: 401,
  bad_secret: 403,
  not_a_website: 403,
  origin_not_allowed: 403,
  unknown_click: 404,
  domain_not_verified: 404,
  body_too_large: 413,
  parameter_too_large: 413,
  parameters_too_large: 413,
  unsupported_media_type: 415,
  too_many_pending: 429,
  rate_limited: 429,
};

export function refusalStatus(code: RefusalCode): number {
  return STATUS[code];
}

/** A refusal: `{ error, reason }` with its status; the reason never quotes a parameter value. */
export function sendRefusal(
  res: ServerResponse,
  refusal: { error: RefusalCode; reason: string },
  headers?: Record<string, string>,
): void {
  sendJson(res, STATUS[refusal.error], { error: refusal.error, reason: refusal.reason }, headers);
}

/** The answer body's `status` of an outcome that is not a refusal (also the postback metric's label). */
export type AnswerStatus = 'accepted' | 'duplicate' | 'ignored' | 'pending';

/** A postback's answer (see the README's "Answers"); `extra` is merged into accepted and duplicate bodies. */
export function sendOutcome(
  res: ServerResponse,
  outcome: Exclude<PostbackOutcome, { kind: 'rejected' }>,
  extra: Record<string, string> = {},
  headers?: Record<string, string>,
): AnswerStatus {
  switch (outcome.kind) {
    case 'recorded':
      sendJson(
        res,
        200,
        { status: 'accepted', conversion_id: outcome.conversionId, conversion_status: outcome.status, ...extra },
        headers,
      );
      return 'accepted';
    case 'duplicate':
      sendJson(
        res,
        200,
        { status: 'duplicate', reason: outcome.reason, conversion_id: outcome.conversionId, ...extra },
        headers,
      );
      return 'duplicate';
    case 'ignored':
      sendJson(res, 200, { status: 'ignored', reason: outcome.reason }, headers);
      return 'ignored';
    case 'pending':
      sendJson(res, 202, { status: 'pending', pending_id: outcome.pendingId, reason: outcome.reason }, headers);
      return 'pending';
  }
}
