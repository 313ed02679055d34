#!/bin/sh
# One login role and one database per service, the database owned by its role. The roles are NOSUPERUSER NOCREATEDB
# NOCREATEROLE: a service can change only its own schema (its migrations) and cannot connect to another service's
# database (CONNECT is revoked from PUBLIC). Passwords come from <SERVICE>_DB_PASSWORD (compose.yml).
#
# The postgres image runs this once, on the first start with an empty volume. It is idempotent, so it is also the
# upgrade step for a deployment whose databases the superuser created (before per-service roles): it creates the
# missing roles and hands every object of each database to its role. See docs/deployment.md ("Database roles").
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/01-roles-and-databases.sh
set -eu

PREFIX="${SNAPTRACK_DB_PREFIX:-snaptrack_}"

setup() { # $1 = service (role and database ${PREFIX}$1), $2 = its password
  role="${PREFIX}$1"
  if [ -z "$2" ]; then
    echo "01-roles-and-databases: no password for $role (set its *_DB_PASSWORD)" >&2
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 -q --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v role="$role" -v pw="$2" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role')
\gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
  :'role', :'pw')
\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'role', :'role')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'role')
\gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'role', :'role')
\gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'role')
\gexec
SQL
  # Objects a superuser created earlier (migrations that ran as postgres) go to the role, or its next migration fails.
  # Tables first: their identity and serial sequences follow them.
  psql -v ON_ERROR_STOP=1 -q --username "${POSTGRES_USER:-postgres}" --dbname "$role" -v role="$role" <<'SQL'
SELECT format('ALTER SCHEMA public OWNER TO %I', :'role')
\gexec
SELECT format('ALTER TABLE public.%I OWNER TO %I', tablename, :'role')
  FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :'role'
\gexec
SELECT format('ALTER SEQUENCE public.%I OWNER TO %I', sequencename, :'role')
  FROM pg_sequences WHERE schemaname = 'public' AND sequenceowner <> :'role'
\gexec
SELECT format('ALTER VIEW public.%I OWNER TO %I', viewname, :'role')
  FROM pg_views WHERE schemaname = 'public' AND viewowner <> :'role'
\gexec
SELECT format('ALTER MATERIALIZED VIEW public.%I OWNER TO %I', matviewname, :'role')
  FROM pg_matviews WHERE schemaname = 'public' AND matviewowner <> :'role'
\gexec
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, :'role')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> :'role'
\gexec
SELECT format('ALTER TYPE public.%I OWNER TO %I', t.typname, :'role')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r') AND pg_get_userbyid(t.typowner) <> :'role'
\gexec
SQL
  echo "01-roles-and-databases: $role ready"
}

setup config "${CONFIG_DB_PASSWORD:-}"
setup campaign "${CAMPAIGN_DB_PASSWORD:-}"
setup conversion "${CONVERSION_DB_PASSWORD:-}"
setup dispatcher "${DISPATCHER_DB_PASSWORD:-}"
setup account "${ACCOUNT_DB_PASSWORD:-}"
