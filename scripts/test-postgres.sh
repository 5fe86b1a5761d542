#!/usr/bin/env bash
# The storage suite (*.storage.test.ts) against a real PostgreSQL: a throwaway cluster
# made with initdb in a temporary folder, listening only on a Unix socket there,
# stopped and deleted afterwards. Run alone with `npm run test:postgres`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || die "PostgreSQL's server is not installed. Fix: bash scripts/install.sh --for-tests (it installs the Debian package postgresql)"

# initdb refuses to run as root: the cluster belongs to the postgres user then.
as_cluster_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/unboxed-pg.XXXXXX")
stop_cluster() {
  as_cluster_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop_cluster EXIT
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"

info "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') in $dir"
as_cluster_owner "$bindir/initdb" -D "$dir/data" -U unboxed --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" ||
  { cat "$dir/initdb.log" >&2; die "initdb failed"; }
as_cluster_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-c listen_addresses='' -k $dir" start >/dev/null ||
  { cat "$dir/server.log" >&2; die "the PostgreSQL server did not start"; }

export UNBOXED_TEST_POSTGRES_URL="postgresql://unboxed@localhost/postgres?host=$dir"
npx vitest run --config vitest.postgres.config.ts "$@"
