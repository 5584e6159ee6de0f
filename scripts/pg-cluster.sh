#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the PostGIS backend's tests (issue 11).
#
#   scripts/pg-cluster.sh start DIR   creates the cluster in DIR (if it is not
#                                     there yet), starts it (if it is not
#                                     running) and prints its admin URL last
#   scripts/pg-cluster.sh stop DIR    stops it and removes DIR
#   scripts/pg-cluster.sh url DIR     prints the admin URL
#
# The cluster listens only on a Unix socket in DIR (no TCP port), trusts every
# local connection, and keeps nothing on a crash (fsync off): it is for tests.
# Its superuser is the role `postgres`, whatever the OS user; the admin URL is
#   postgresql:///postgres?host=DIR&user=postgres
# DIR must be an absolute path short enough for the socket's name (under 90
# bytes; ctest uses /tmp/waymark-pg-<hash of the build folder>). Run as root
# (CI), the server runs as the OS user `postgres`, which owns DIR; initdb and
# postgres refuse to run as root. The binaries are looked for on PATH, then
# in /usr/lib/postgresql/<newest>/bin (Debian); PG_BINDIR overrides both.
set -euo pipefail

die() {
  echo "pg-cluster: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start|stop|url DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
action=$1
dir=$2
case "$action" in start | stop | url) ;; *) usage ;; esac

# DIR goes into a URL and a socket name: keep it plain, absolute and short.
[[ "$dir" == /* ]] || die "$dir: give an absolute path"
[[ "$dir" =~ ^[A-Za-z0-9/._-]+$ ]] || die "$dir: use only letters, digits and / . _ - in the path"
dir=${dir%/}
[[ -n "$dir" && "$dir" != "/" ]] || die "refusing to use / as the cluster's folder"
socket="$dir/.s.PGSQL.5432"
(( ${#socket} < 100 )) || die "$dir: too long for the server's Unix socket $socket (keep the \
path under 86 bytes)"

data="$dir/data"
log="$dir/server.log"
marker="$dir/waymark-pg-cluster"
url="postgresql:///postgres?host=$dir&user=postgres"

if [[ "$action" == url ]]; then
  echo "$url"
  exit 0
fi

find_bindir() {
  if [[ -n "${PG_BINDIR:-}" ]]; then
    [[ -x "$PG_BINDIR/initdb" ]] || die "PG_BINDIR=$PG_BINDIR has no initdb"
    echo "$PG_BINDIR"
    return
  fi
  local initdb
  if initdb=$(command -v initdb 2>/dev/null); then
    # A link on PATH (/usr/local/bin/initdb) stands for the server's own folder.
    dirname "$(readlink -f "$initdb")"
    return
  fi
  local newest=""
  local candidate
  while read -r candidate; do
    [[ -x "$candidate/initdb" ]] && newest=$candidate
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  [[ -n "$newest" ]] || die "initdb not found (on PATH or in /usr/lib/postgresql/*/bin): install \
the Debian packages postgresql and postgresql-15-postgis-3 (make test-deps), or set PG_BINDIR"
  echo "$newest"
}

# The OS user the server runs as, and how to run a command as that user.
as_server=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 ||
    die "running as root, but there is no OS user 'postgres' to run the server as (the \
postgresql package creates it)"
  command -v runuser >/dev/null 2>&1 || die "running as root, but runuser is missing"
  as_server=(runuser -u postgres --)
fi

# Runs a server binary as the server's user, from a folder it may enter.
server() {
  (cd "$dir" && "${as_server[@]}" "$@")
}

running() {
  [[ -f "$data/PG_VERSION" ]] && server "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1
}

stop_cluster() {
  if [[ ! -f "$marker" && -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
    die "$dir is not empty and was not made by pg-cluster.sh: not removing it"
  fi
  if [[ -f "$data/PG_VERSION" ]]; then
    bindir=$(find_bindir)
    if running; then
      server "$bindir/pg_ctl" stop -D "$data" -m immediate -w -t 60 >/dev/null ||
        die "pg_ctl could not stop the cluster in $data (see $log)"
    fi
  fi
  rm -rf -- "$dir"
}

if [[ "$action" == stop ]]; then
  if [[ ! -e "$dir" ]]; then
    echo "pg-cluster: no cluster in $dir"
    exit 0
  fi
  stop_cluster
  echo "pg-cluster: stopped and removed $dir"
  exit 0
fi

# ---- start -------------------------------------------------------------------

bindir=$(find_bindir)

if running; then
  echo "$url"
  exit 0
fi

if [[ -e "$dir" && ! -f "$marker" && -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
  die "$dir is not empty and was not made by pg-cluster.sh: choose another folder"
fi
mkdir -p "$dir"
chmod 700 "$dir"
touch "$marker"
if [[ ${#as_server[@]} -gt 0 ]]; then
  chown -R postgres: "$dir" || die "cannot give $dir to the OS user postgres"
fi

if [[ ! -f "$data/PG_VERSION" ]]; then
  rm -rf -- "$data"
  if ! output=$(server "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 \
    --locale=C --no-sync 2>&1); then
    echo "$output" >&2
    die "initdb failed in $data"
  fi
  cat >>"$data/postgresql.conf" <<EOF

# ---- scripts/pg-cluster.sh: a throwaway cluster for tests ----
listen_addresses = ''
unix_socket_directories = '$dir'
unix_socket_permissions = 0777
port = 5432
max_connections = 200
shared_buffers = 64MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 1GB
logging_collector = off
log_min_messages = warning
EOF
fi

if ! server "$bindir/pg_ctl" start -D "$data" -l "$log" -w -t 60 >/dev/null 2>&1; then
  # A server killed with the machine leaves its pid file; pg_ctl copes, but a
  # start that still fails says why in the log.
  echo "pg-cluster: the server in $data did not start; the end of $log:" >&2
  tail -n 20 "$log" >&2 2>/dev/null || true
  exit 1
fi

# The PostGIS backend needs the extension installed for this server version.
available=$("$bindir/psql" "$url" -X -A -t -q \
  -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'" 2>&1) ||
  die "cannot connect to the new cluster at $url: $available"
if [[ "$available" != "1" ]]; then
  version=$(cat "$data/PG_VERSION")
  die "the postgis extension is not installed for PostgreSQL $version: install the Debian \
package postgresql-$version-postgis-3 (the cluster is running; stop it with: $0 stop $dir)"
fi

echo "$url"
