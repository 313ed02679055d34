import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, type Route } from '@snaptrack/util-http';
import type { ServiceMetrics } from '@snaptrack/util-observability';
import type { ConfigViewService } from '../config-view/config-view.service';
import { hostnameOf } from './attribution';
import { sendOutcome, sendRefusal, type RefusalCode } from './postback.http';
import {
  MAX_BODY_BYTES,
  ParseError,
  parseBody,
  parseQueryFromRawUrl,
  parsing,
  type RawParams,
} from './postback.params';
import type { PostbackReader } from './postback.reader';
import type { PostbackService } from './postback.service';

/** The request's parameters: the query string, then the body of a POST (its parameters win). */
async function requestParams(req: IncomingMessage): Promise<RawParams> {
  const params = parseQueryFromRawUrl(req.url ?? '');
  if (req.method !== 'POST') return params;
  let body: Buffer;
  try {
    body = await readBody(req, MAX_BODY_BYTES);
  } catch (e) {
    if (e instanceof HttpError && e.status === 413)
      throw new ParseError('body_too_large', `the body is larger than ${MAX_BODY_BYTES} bytes`);
    throw e;
  }
  return parseBody(req.headers['content-type'], body, params);
}

/**
 * `GET|POST /postback` on the public tracking host: HTTP → a parsed {@link Postback} (reader) → one service call →
 * HTTP. Bad input is a 4xx JSON `{ error, reason }` and never echoes a parameter value. The URL is never logged (it
 * may carry the secret and PII).
 */
export function postbackRoutes(
  reader: Pick<PostbackReader, 'read'>,
  service: Pick<PostbackService, 'record'>,
  domains: Pick<ConfigViewService, 'trackingDomainForHost'>,
  metrics?: Pick<ServiceMetrics, 'postback'>,
): Route[] {
  const refuse = (res: ServerResponse, error: RefusalCode, reason: string): void => {
    metrics?.postback('refused', error);
    sendRefusal(res, { error, reason });
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = hostnameOf(req.headers.host);
    // A Host that names a tracking domain takes postbacks only once its account proved control of it.
    const domain = await domains.trackingDomainForHost(host);
    if (domain && !domain.verified) {
      return refuse(
        res,
        'domain_not_verified',
        'this tracking domain is not verified; it accepts no postbacks until its owner verifies it',
      );
    }
    const params = await parsing(() => requestParams(req));
    if (!params.ok) return refuse(res, params.error.error, params.error.reason);
    const postback = await reader.read(params.value, host);
    if (!postback.ok) return refuse(res, postback.error.error, postback.error.reason);
    const outcome = await service.record(postback.value);
    if (outcome.kind === 'rejected') return refuse(res, outcome.error, outcome.reason);
    metrics?.postback(sendOutcome(res, outcome));
  };
  return [{ method: ['GET', 'POST'], path: '/postback', handler }];
}
