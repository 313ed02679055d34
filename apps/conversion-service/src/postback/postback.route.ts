import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, sendJson, type Route } from '@snaptrack/util-http';
import type { ServiceMetrics } from '@snaptrack/util-observability';
import { hostnameOf } from './attribution';
import { MAX_BODY_BYTES, PostbackRejection, parseBody, parseQueryFromRawUrl } from './postback.parse';
import type { PostbackService } from './postback.service';
import type { ConfigViewService } from '../config-view/config-view.service';

/**
 * `GET|POST /postback` on the public tracking host. Translates HTTP to one service call; bad input is a 4xx JSON
 * `{ error, reason }` and never echoes a parameter value. The URL is never logged (it may carry the token and PII).
 */
export function postbackRoutes(
  service: PostbackService,
  domains: Pick<ConfigViewService, 'trackingDomainForHost'>,
  metrics?: Pick<ServiceMetrics, 'postback'>,
): Route[] {
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = hostnameOf(req.headers.host);
    // A Host that names a tracking domain takes postbacks only once its account proved control of it.
    const domain = await domains.trackingDomainForHost(host);
    if (domain && !domain.verified) {
      metrics?.postback('refused', 'domain_not_verified');
      return sendJson(res, 404, {
        error: 'domain_not_verified',
        reason: 'this tracking domain is not verified; it accepts no postbacks until its owner verifies it',
      });
    }
    try {
      const params = parseQueryFromRawUrl(req.url ?? '');
      if (req.method === 'POST') {
        let body: Buffer;
        try {
          body = await readBody(req, MAX_BODY_BYTES);
        } catch (e) {
          if (e instanceof HttpError && e.status === 413)
            throw new PostbackRejection(413, 'body_too_large', `the body is larger than ${MAX_BODY_BYTES} bytes`);
          throw e;
        }
        parseBody(req.headers['content-type'], body, params);
      }
      const answer = await service.handle(params, host);
      metrics?.postback(answer.body.status);
      sendJson(res, answer.http, answer.body);
    } catch (e) {
      if (e instanceof PostbackRejection) {
        metrics?.postback('refused', e.error);
        return sendJson(res, e.status, { error: e.error, reason: e.reason });
      }
      throw e;
    }
  };
  return [{ method: ['GET', 'POST'], path: '/postback', handler }];
}
