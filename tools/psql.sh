#!/bin/sh
# make psql: psql on the database of the running `make run` (extra psql
# arguments in PSQL_ARGS, e.g. make psql PSQL_ARGS="-c 'TABLE users'").
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tools/running.sh"
need_running psql
eval "exec psql -X \"\$DATABASE_URL\" ${PSQL_ARGS:-}"
