#!/usr/bin/env node
// A small round-robin HTTP proxy in front of two (or more) instances of one service (platform.js `instances`): the
// gateway's subgraph URLs and the tracking proxy point at it, so the system and fault tests run two instances each of
// campaign-service and conversion-service the way a load balancer would. Headers go through unchanged (it is a
// loopback hop, which the services trust like the tracking proxy). A request whose connection is refused (the
// instance is down, so nothing reached it) is tried on the next instance; any other failure answers 502, because the
// request may have reached its instance and must not be sent twice.
const http = require('node:http');

const MAX_BODY_BYTES = 1024 * 1024;

function startRoundRobinProxy({ port = 0, host = '127.0.0.1', upstreams, timeoutMs = 30000 }) {
  const targets = upstreams.map((u) => new URL(u));
  if (targets.length === 0) throw new Error('round-robin proxy: no upstreams');
  // Idle keep-alive sockets are closed after 4 s, before the services' 5 s keepAliveTimeout: a socket the service has
  // just closed must never be reused (that race answered ECONNRESET, hence 502, to a few postbacks of a burst).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 });
  let next = 0;

  const forward = (req, res, body, tried) => {
    const target = targets[next++ % targets.length];
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (up) => {
        res.writeHead(up.statusCode || 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.setTimeout(timeoutMs, () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('error', (err) => {
      if (err.code === 'ECONNREFUSED' && tried + 1 < targets.length && !res.headersSent) {
        forward(req, res, body, tried + 1);
        return;
      }
      // The path without its query: a postback's query carries its secret.
      const line = {
        level: 'warn',
        service: 'round-robin-proxy',
        msg: 'upstream failed',
        code: err.code,
        reused: upstream.reusedSocket,
        path: req.url.split('?')[0],
        upstream: target.port,
      };
      process.stdout.write(JSON.stringify(line) + '\n');
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'bad_gateway', reason: 'no instance answered' }));
      } else res.destroy();
    });
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    // The body is read first (bounded) so a refused connection can be retried on the other instance.
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error: 'body_too_large', reason: 'request body over 1 MiB' }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!res.headersSent) forward(req, res, Buffer.concat(chunks), 0);
    });
  });
  return new Promise((resolve) =>
    server.listen(port, host, () =>
      resolve({
        server,
        url: `http://${host}:${server.address().port}`,
        close: () =>
          new Promise((r) => {
            agent.destroy();
            server.close(() => r());
            server.closeAllConnections();
          }),
      }),
    ),
  );
}

module.exports = { startRoundRobinProxy };

if (require.main === module) {
  startRoundRobinProxy({
    port: Number(process.env.PORT || 0),
    host: process.env.HOST || '127.0.0.1',
    upstreams: String(process.env.UPSTREAMS || '')
      .split(',')
      .filter(Boolean),
  }).then(({ url }) => {
    const line = {
      level: 'info',
      service: 'round-robin-proxy',
      msg: 'listening',
      url,
      upstreams: process.env.UPSTREAMS,
    };
    process.stdout.write(JSON.stringify(line) + '\n');
    const stop = () => process.exit(0);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
