#!/bin/bash
# The stand-in postgres:15's entrypoint (see the Dockerfile): as root, hands
# PGDATA to the postgres user and starts again as that user; as postgres, makes
# the cluster on the first start, then runs the server in the foreground.
set -euo pipefail

if [ "${1:-}" = postgres ] && [ "$(id -u)" = 0 ]; then
    install -d -o postgres -g postgres -m 0700 "$PGDATA"
    chown -R postgres:postgres "$PGDATA"
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "postgres-entrypoint: POSTGRES_PASSWORD is empty; it is needed on the first start" >&2
        exit 1
    fi
    user="${POSTGRES_USER:-postgres}"
    database="${POSTGRES_DB:-$user}"
    # The password goes through a file descriptor, never the command line.
    initdb --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
        --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
        > /dev/null
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    # The database, on a server that only listens on its Unix socket meanwhile.
    pg_ctl --pgdata="$PGDATA" --silent --wait -o "-c listen_addresses=''" start
    if [ "$database" != postgres ]; then
        # On standard input: psql quotes the :"name" variable there, not in -c.
        echo 'CREATE DATABASE :"name"' | psql --username="$user" --dbname=postgres --quiet \
            --no-psqlrc --set=ON_ERROR_STOP=1 --set=name="$database"
    fi
    pg_ctl --pgdata="$PGDATA" --silent --wait --mode=fast stop
    echo "postgres-entrypoint: cluster made in $PGDATA, role $user, database $database"
fi

exec "$@"
