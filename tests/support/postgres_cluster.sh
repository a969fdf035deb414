#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: initdb in a fresh temporary
# folder, run as the `postgres` user (the server refuses to run as root), on a
# free port of 127.0.0.1, with trust authentication on loopback only.
#
#   postgres_cluster.sh start      prints the folder, then the admin URL
#   postgres_cluster.sh stop DIR   stops the cluster of DIR and removes DIR
#   postgres_cluster.sh pause DIR  stops the server, keeping its data (an outage)
#   postgres_cluster.sh resume DIR starts it again on the same port
#   postgres_cluster.sh freeze DIR stops every process of the server (SIGSTOP):
#                                  connections stay open and nothing answers,
#                                  as with a host cut off without a reset
#   postgres_cluster.sh thaw DIR   lets them run again (SIGCONT)
#
# fsync is off: the tests kill service processes, never the server, so its
# durability is not what they prove, and fsync on a 2-core VM costs minutes.
set -euo pipefail

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres_cluster.sh: no PostgreSQL server found (apt-get install postgresql)" >&2
    exit 1
fi
as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        "$@"
    elif [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        sudo -u postgres "$@"
    fi
}

start_server() {
    local dir="$1"
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
        "-p $(cat "$dir/port") -k $dir -c listen_addresses=127.0.0.1 -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        > /dev/null || { cat "$dir/server.log" >&2; exit 1; }
}

case "${1:-}" in
    start)
        dir="$(mktemp -d /tmp/settings-pg.XXXXXX)"
        chmod 755 "$dir"
        chown postgres:postgres "$dir" 2>/dev/null || true
        port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync \
            > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
        echo "$port" > "$dir/port"
        chown postgres:postgres "$dir/port" 2>/dev/null || true
        start_server "$dir"
        echo "$dir"
        echo "postgresql://postgres@127.0.0.1:$port/postgres"
        ;;
    pause)
        dir="${2:?usage: postgres_cluster.sh pause DIR}"
        as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null
        ;;
    resume)
        start_server "${2:?usage: postgres_cluster.sh resume DIR}"
        ;;
    freeze | thaw)
        dir="${2:?usage: postgres_cluster.sh freeze|thaw DIR}"
        postmaster="$(head -1 "$dir/data/postmaster.pid")"
        signal=STOP
        [ "$1" = thaw ] && signal=CONT
        # The postmaster first on freezing (no new backend starts meanwhile),
        # last on thawing.
        if [ "$signal" = STOP ]; then
            kill -STOP "$postmaster"
            pkill -STOP -P "$postmaster" || true
        else
            pkill -CONT -P "$postmaster" || true
            kill -CONT "$postmaster"
        fi
        ;;
    stop)
        dir="${2:?usage: postgres_cluster.sh stop DIR}"
        if [ -f "$dir/data/postmaster.pid" ]; then
            as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop > /dev/null 2>&1 || true
        fi
        rm -rf "$dir"
        ;;
    *)
        echo "usage: postgres_cluster.sh start | stop|pause|resume|freeze|thaw DIR" >&2
        exit 2
        ;;
esac
