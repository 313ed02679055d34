#!/usr/bin/env node
// The single local tracking host (dev/quick start; production uses nginx, see docker/nginx/tracking.conf):
//   /postback            → conversion-service
//   everything else      → campaign-service  (/<campaign key>, /click, /track.js)
// Adds X-Forwarded-For / -Host / -Proto so the services see the real client (they trust only loopback proxies).
const http = require('node:http');

function startTrackingProxy({ port = 8080, host = '127.0.0.1', campaignUrl, conversionUrl }) {
  const targets = { campaign: new URL(campaignUrl), conversion: new URL(conversionUrl) };
  const server = http.createServer((req, res) => {
    const path = (req.url || '/').split('?')[0];
    const target = path === '/postback' || path.startsWith('/postback/') ? targets.conversion : targets.campaign;
    const xff = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': xff, 'x-forwarded-host': req.headers.host || '', 'x-forwarded-proto': 'http' },
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
  return new Promise((resolve) => server.listen(port, host, () => resolve({ server, url: `http://${host}:${server.address().port}`, close: () => new Promise((r) => server.close(() => r())) })));
}

module.exports = { startTrackingProxy };

if (require.main === module) {
  startTrackingProxy({
    port: Number(process.env.PORT || 8080),
    host: process.env.HOST || '127.0.0.1',
    campaignUrl: process.env.CAMPAIGN_SERVICE_HTTP_URL || 'http://127.0.0.1:4002',
    conversionUrl: process.env.CONVERSION_SERVICE_HTTP_URL || 'http://127.0.0.1:4003',
  }).then(({ url }) => {
    process.stdout.write(JSON.stringify({ level: 'info', service: 'tracking-proxy', msg: 'listening', url }) + '\n');
    const stop = () => process.exit(0);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
