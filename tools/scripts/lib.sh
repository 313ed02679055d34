# Shared by up.sh and test.sh: bootstrap what a fresh clone needs. Source it; do not run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
say() { printf '\033[1m[snaptrack]\033[0m %s\n' "$*" >&2; }

ensure_node_modules() {
  # npm runs this script before dependencies exist, so install them here when missing or stale.
  if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] ||
    [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

ensure_postgres() {
  local host="${PGHOST:-127.0.0.1}" port="${PGPORT:-5432}"
  if pg_isready -q -h "$host" -p "$port" 2>/dev/null; then return 0; fi
  if command -v pg_lsclusters >/dev/null 2>&1; then
    local ver
    ver=$(pg_lsclusters -h 2>/dev/null | awk '{print $1; exit}')
    if [ -n "$ver" ]; then
      say "PostgreSQL is not running; starting cluster $ver/main"
      pg_ctlcluster "$ver" main start || true
      for _ in $(seq 1 30); do pg_isready -q -h "$host" -p "$port" && return 0; sleep 1; done
    fi
  fi
  say "PostgreSQL is not reachable at $host:$port. Start it (e.g. 'pg_ctlcluster 15 main start') or set" \
    "TEST_DATABASE_URL / DATABASE_URL to a reachable server."
  return 1
}

KAFKA_STARTED_BY_US=0
# ensure_kafka [fresh]: reuse a broker that answers, else start one. With "fresh" (the test command), a broker we start
# gets an empty data directory: a dir left by earlier runs can hold thousands of test topics, and loading them made a
# CI start miss its readiness deadline.
ensure_kafka() {
  if bash tools/kafka/kafka.sh status >/dev/null 2>&1; then
    say "reusing the Kafka broker that is already up"
  else
    if [ "${1:-}" = fresh ]; then bash tools/kafka/kafka.sh reset; fi
    bash tools/kafka/kafka.sh start
    KAFKA_STARTED_BY_US=1
  fi
}
stop_kafka_if_ours() {
  if [ "$KAFKA_STARTED_BY_US" = 1 ]; then bash tools/kafka/kafka.sh stop || true; fi
}

build_all() {
  say "building (tsc -b)"
  npx tsc -b tsconfig.build.json
}

ensure_compose_cli() {
  # The compose test validates docker/compose.yml with whichever compose CLI exists; bring one when only docker is here.
  if command -v docker >/dev/null 2>&1 && ! docker compose version >/dev/null 2>&1 &&
    ! command -v docker-compose >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "installing docker-compose (Debian) to validate docker/compose.yml"
      (apt-get install -y --no-install-recommends docker-compose >/dev/null 2>&1 ||
        { apt-get update >/dev/null 2>&1 &&
          apt-get install -y --no-install-recommends docker-compose >/dev/null 2>&1; }) ||
        say "could not install docker-compose; the compose test will say so"
    fi
  fi
}
