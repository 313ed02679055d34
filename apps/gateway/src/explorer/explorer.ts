import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '@snaptrack/util-http';

/**
 * GraphiQL served from npm packages (no CDN), development only. The API key is typed into GraphiQL's headers
 * editor (prefilled with a placeholder) and never leaves the browser except to this gateway.
 */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'application/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'application/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'application/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

/** A file inside an installed package (UMD bundles are not in the packages' "exports"). */
function packageFile(pkg: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
}

const INIT_JS = `
(function () {
  var saved = localStorage.getItem('snaptrack.explorer.headers');
  var headers = saved || JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2);
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultHeaders: headers,
    shouldPersistHeaders: true,
    defaultQuery: '# Set your API key in the Headers tab below, then run:\\n{\\n  trafficChannelTemplates { key ' +
      'name clickIdParam }\\n}\\n',
    onEditHeaders: function (h) { try { localStorage.setItem('snaptrack.explorer.headers', h); } catch (e) {} }
  }));
})();
`;

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Snaptrack GraphQL explorer</title>
<link rel="stylesheet" href="/explorer/assets/graphiql.css">
<style>html,body,#graphiql{height:100%;margin:0}</style>
</head>
<body>
<div id="graphiql">Loading…</div>
<script src="/explorer/assets/react.js"></script>
<script src="/explorer/assets/react-dom.js"></script>
<script src="/explorer/assets/graphiql.js"></script>
<script src="/explorer/assets/init.js"></script>
</body>
</html>`;

const cache = new Map<string, Buffer>();
function asset(name: string): Buffer | undefined {
  if (name === 'init.js') return Buffer.from(INIT_JS);
  const a = ASSETS[name];
  if (!a) return undefined;
  if (!cache.has(name)) cache.set(name, readFileSync(packageFile(a.pkg, a.file)));
  return cache.get(name);
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' " +
    "data:; connect-src 'self'; worker-src 'self' blob:",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export function explorerRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: '/explorer',
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          ...SECURITY_HEADERS,
        });
        res.end(HTML);
      },
    },
    {
      method: 'GET',
      path: /^\/explorer\/assets\/[a-z.-]+$/,
      handler: (_req: IncomingMessage, res: ServerResponse, url: URL) => {
        const name = url.pathname.split('/').pop()!;
        const body = asset(name);
        if (!body) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'not_found', reason: 'no such asset' }));
          return;
        }
        const type = name === 'init.js' ? 'application/javascript' : ASSETS[name].type;
        res.writeHead(200, {
          'content-type': `${type}; charset=utf-8`,
          'cache-control': 'public, max-age=3600',
          ...SECURITY_HEADERS,
        });
        res.end(body);
      },
    },
  ];
}
