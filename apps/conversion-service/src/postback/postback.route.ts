import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, sendJson, type Route } from '@snaptrack/util-http';
import { hostnameOf } from './attribution';
import { MAX_BODY_BYTES, PostbackRejection, parseBody, parseQueryFromRawUrl } from './postback.parse';
import type { PostbackService } from './postback.service';

/**
 * `GET|POST /postback` on the public tracking host. Translates HTTP to one service call; bad input is a 4xx JSON
 * `{ error, reason }` and never echoes a parameter value. The URL is never logged (it may carry the token and PII).
 */
export function postbackRoutes(service: PostbackService): Route[] {
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
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
      const answer = await service.handle(params, hostnameOf(req.headers.host));
      sendJson(res, answer.http, answer.body);
    } catch (e) {
      if (e instanceof PostbackRejection) return sendJson(res, e.status, { error: e.error, reason: e.reason });
      throw e;
    }
  };
  return [{ method: ['GET', 'POST'], path: '/postback', handler }];
}
