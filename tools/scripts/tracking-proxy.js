#!/usr/bin/env node
// The single local tracking host (dev/quick start; production uses nginx, see docker/nginx/tracking.conf):
//   /postback, /conversions, /conversions/browser → conversion-service
//   everything else      → campaign-service  (/<campaign key>, /click, /track.js)
// Adds X-Forwarded-For / -Host / -Proto so the services see the real client (they trust only loopback proxies).
const http = require('node:http');

/**
 * Campaign keys (redirect clicks, also when Snapchat appends `&ScCid=` without a `?`), the JSON click API, the script.
 */
const PUBLIC_CAMPAIGN_PATH = /^\/(?:click|track\.js|[A-Za-z0-9]{10,32}(?:&.*)?)$/;

/** Postbacks, and conversions from advertisers' websites (their backends and their thank-you pages). */
const CONVERSION_PATHS = new Set(['/postback', '/conversions', '/conversions/browser']);

/** Token bucket per client IP: `rate` requests per second with bursts up to `burst`. */
function rateLimiter(rate, burst) {
  const buckets = new Map();
  return (ip) => {
    const now = Date.now();
    let b = buckets.get(ip);
    if (!b) {
      if (buckets.size > 100000) buckets.clear();
      b = { tokens: burst, at: now };
      buckets.set(ip, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens < 1) return Math.ceil(((1 - b.tokens) / rate) * 1000);
    b.tokens -= 1;
    return 0;
  };
}

function startTrackingProxy({
  port = 8080,
  host = '127.0.0.1',
  campaignUrl,
  conversionUrl,
  ratePerIp = 100,
  burstPerIp = 200,
}) {
  const targets = { campaign: new URL(campaignUrl), conversion: new URL(conversionUrl) };
  const limited = rateLimiter(ratePerIp, burstPerIp);
  const server = http.createServer((req, res) => {
    const waitMs = ratePerIp > 0 ? limited(req.socket.remoteAddress || '') : 0;
    if (waitMs > 0) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(Math.ceil(waitMs / 1000)) });
      res.end(
        JSON.stringify({ error: 'rate_limited', reason: `more than ${ratePerIp} requests per second from this IP` }),
      );
      return;
    }
    const path = (req.url || '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    // Only the public tracking surface is exposed; /graphql and health endpoints of the services stay internal.
    const target = CONVERSION_PATHS.has(path)
      ? targets.conversion
      : PUBLIC_CAMPAIGN_PATH.test(path)
        ? targets.campaign
        : null;
    if (!target) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not_found', reason: 'no such tracking endpoint' }));
      return;
    }
    const xff = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          'x-forwarded-for': xff,
          'x-forwarded-host': req.headers.host || '',
          'x-forwarded-proto': 'http',
        },
      },
      (up) => {
        res.writeHead(up.statusCode || 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.setTimeout(15000, () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'bad_gateway', reason: 'tracking service unavailable' }));
      } else res.destroy();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(port, host, () =>
      resolve({
        server,
        url: `http://${host}:${server.address().port}`,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

module.exports = { startTrackingProxy };

if (require.main === module) {
  startTrackingProxy({
    port: Number(process.env.PORT || 8080),
    host: process.env.HOST || '127.0.0.1',
    campaignUrl: process.env.CAMPAIGN_SERVICE_HTTP_URL || 'http://127.0.0.1:4002',
    conversionUrl: process.env.CONVERSION_SERVICE_HTTP_URL || 'http://127.0.0.1:4003',
    ratePerIp: Number(process.env.RATE_LIMIT_PER_IP ?? 100),
    burstPerIp: Number(process.env.RATE_LIMIT_BURST ?? 200),
  }).then(({ url }) => {
    process.stdout.write(JSON.stringify({ level: 'info', service: 'tracking-proxy', msg: 'listening', url }) + '\n');
    const stop = () => process.exit(0);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
