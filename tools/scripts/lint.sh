#!/usr/bin/env bash
# npm run lint: ESLint for every nx project (its `lint` target, cached), then the plain-Node scripts that belong to no
# project, then Prettier's check. npm test runs this before Jest, so a violation fails CI.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
say "lint: eslint (every project), prettier --check"
# The boundary rule reads nx's project graph; computing it first means the rule can never be skipped silently.
npx nx show projects >/dev/null
npx nx run-many -t lint --parallel="${NX_PARALLEL:-2}" --output-style=stream-without-prefixes
npx eslint --max-warnings 0 tools/scripts tools/bench '*.cjs' '*.mjs'
npx prettier --check . --log-level warn
