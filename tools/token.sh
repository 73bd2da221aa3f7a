#!/bin/sh
# make token: print a JWT for the local development user of `make run`
# (dev@example.com, made on first use).  Needs `make run` to be running.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$ROOT/var/run/env" ] || [ ! -f "$ROOT/var/secrets.env" ]; then
    echo "no local suite found: start it with 'make run' first" >&2
    exit 1
fi
set -a
. "$ROOT/var/secrets.env"
. "$ROOT/var/run/env"
set +a
exec "$ROOT/bin/token" --email "${TOKEN_EMAIL:-dev@example.com}" --create
