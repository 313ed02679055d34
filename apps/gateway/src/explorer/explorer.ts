import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '@snaptrack/util-http';

/**
 * GraphiQL served from npm packages (no CDN), development only. The API key is in GraphiQL's headers editor
 * (prefilled with the dev key when EXPLORER_DEFAULT_API_KEY is set, else a placeholder) and never leaves the browser
 * except to this gateway.
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

/**
 * The page's script. With `defaultApiKey` (development: `npm start` passes the dev account's key) the headers start
 * with that key on every load, so the schema docs and a first query work at once; without it, the headers the user
 * typed last (kept in localStorage) or a placeholder.
 */
function initJs(defaultApiKey: string | undefined): string {
  const prefilled = defaultApiKey ? JSON.stringify({ Authorization: `Bearer ${defaultApiKey}` }, null, 2) : null;
  const query = defaultApiKey
    ? "# The dev account's API key is in the Headers tab below. Run:\n{\n  viewer { accountName }\n  " +
      'trafficChannelTemplates { key name clickIdParam }\n}\n'
    : '# Set your API key in the Headers tab below, then run:\n{\n  trafficChannelTemplates { key name ' +
      'clickIdParam }\n}\n';
  return `
(function () {
  var prefilled = ${JSON.stringify(prefilled)};
  var saved = localStorage.getItem('snaptrack.explorer.headers');
  var headers = prefilled || saved || JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2);
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultHeaders: headers,
    headers: prefilled || undefined,
    shouldPersistHeaders: !prefilled,
    defaultQuery: ${JSON.stringify(query)},
    onEditHeaders: function (h) { try { localStorage.setItem('snaptrack.explorer.headers', h); } catch (e) {} }
  }));
})();
`;
}

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

export interface ExplorerOptions {
  /** Development only (refused in production by the config): the API key the headers start with. */
  defaultApiKey?: string;
}

export function explorerRoutes(options: ExplorerOptions = {}): Route[] {
  const init = Buffer.from(initJs(options.defaultApiKey));
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
        const body = name === 'init.js' ? init : asset(name);
        if (!body) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'not_found', reason: 'no such asset' }));
          return;
        }
        const type = name === 'init.js' ? 'application/javascript' : ASSETS[name].type;
        res.writeHead(200, {
          'content-type': `${type}; charset=utf-8`,
          // init.js may carry the dev key: never cached.
          'cache-control': name === 'init.js' ? 'no-store' : 'public, max-age=3600',
          ...SECURITY_HEADERS,
        });
        res.end(body);
      },
    },
  ];
}
