#!/usr/bin/env node
// Baseline of `npm run bench`: the cheapest possible click endpoint, a bare node:http server answering 302, in its
// own process like the services. Prints {"port":N} once listening; stops on SIGTERM.
const http = require('node:http');

const server = http.createServer((req, res) => {
  res.writeHead(302, { location: 'https://offer.example.com/?clickid=baseline' });
  res.end();
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
