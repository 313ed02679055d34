#!/usr/bin/env bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
build_all
node tools/scripts/generate.js "$@"
node libs/contracts/events/scripts/export-schemas.js "$@"
