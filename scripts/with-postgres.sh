#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster (tests/support/postgres_cluster.sh)
# and SETTINGS_TEST_POSTGRES_URL pointing at it; the cluster is stopped and removed
# afterwards, also when the command fails. The command's exit code is kept.
#
#   scripts/with-postgres.sh ctest --test-dir build
set -euo pipefail
cd "$(dirname "$0")/.."

cluster="$(tests/support/postgres_cluster.sh start)"
trap 'tests/support/postgres_cluster.sh stop "$(head -1 <<< "$cluster")"' EXIT
export SETTINGS_TEST_POSTGRES_URL="$(tail -1 <<< "$cluster")"
"$@"
