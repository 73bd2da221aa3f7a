#!/usr/bin/env bash
# make run: serve the suite on http://127.0.0.1:${PORT:-1337} under lighttpd,
# with a private Postgres cluster under ./var and, when no WorkOS
# credentials are in the environment, the fake WorkOS as the identity
# provider.  Ctrl-C stops everything it started; running it again reuses
# the data in ./var.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. tools/pg.sh

PORT=${PORT:-1337}
VAR=$ROOT/var
RUN=$VAR/run
mkdir -p "$VAR" "$RUN"
chmod 755 "$VAR" "$RUN"

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "port $PORT is already in use: stop what listens there or run: make run PORT=<other>" >&2
    exit 1
fi

# Secrets made once and kept, so tokens and logins survive a restart.
if [ ! -f "$VAR/secrets.env" ]; then
    umask 077
    {
        echo "JWT_SECRET=$(openssl rand -hex 32)"
        echo "LOCAL_COOKIE_PASSWORD=$(openssl rand -hex 32)"
    } >"$VAR/secrets.env"
    umask 022
fi
. "$VAR/secrets.env"
export JWT_SECRET

pids=()
cleanup() {
    trap - EXIT INT TERM
    echo
    echo "stopping..."
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    pg_stop "$VAR/pg"
    echo "stopped; data kept in $VAR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "starting Postgres (data in var/pg)..."
PG_PORT=$(free_port)
pg_init "$VAR/pg" || exit 1
pg_stop "$VAR/pg" # a cluster left running by a killed run
pg_start "$VAR/pg" "$PG_PORT" || exit 1
export DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/app"
psql -X -q "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'app'" | grep -q 1 ||
    psql -X -q "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -c "CREATE DATABASE app" || exit 1
echo "migrating..."
./bin/migrate --dir sql || exit 1

if [ -z "${WORKOS_API_KEY:-}" ]; then
    echo "no WORKOS_API_KEY in the environment: starting the fake WorkOS"
    node tests/fake-workos/server.js --port 0 --state-file "$VAR/fake-workos.json" \
        >"$RUN/fake.out" 2>"$RUN/fake.log" &
    pids+=($!)
    for _ in $(seq 1 100); do
        grep -q '^listening on' "$RUN/fake.out" 2>/dev/null && break
        sleep 0.05
    done
    export WORKOS_API_BASE
    WORKOS_API_BASE=$(sed -n 's/^listening on //p' "$RUN/fake.out")
    [ -n "$WORKOS_API_BASE" ] || { echo "the fake WorkOS did not start; see var/run/fake.log" >&2; exit 1; }
    export WORKOS_API_KEY=sk_test_fake WORKOS_CLIENT_ID=client_test
    export WORKOS_COOKIE_PASSWORD=$LOCAL_COOKIE_PASSWORD
    export WORKOS_REDIRECT_URI="http://127.0.0.1:$PORT/api/auth/workos/callback"
    WORKOS_TIMEOUT=${WORKOS_TIMEOUT:-5s}
else
    for v in WORKOS_CLIENT_ID WORKOS_REDIRECT_URI WORKOS_COOKIE_PASSWORD; do
        [ -n "${!v:-}" ] || { echo "WORKOS_API_KEY is set, so $v must be set too" >&2; exit 1; }
    done
fi

# What `make token` needs to reach this cluster.
{
    echo "DATABASE_URL=$DATABASE_URL"
} >"$RUN/env"

# The demo app (examples/spa) at /, beside the API.
export DOC_ROOT=$ROOT/examples/spa
PORT=$PORT RUN_DIR=$RUN BIN_DIR=$ROOT bash tools/lighttpd-conf.sh >"$RUN/lighttpd.conf" || exit 1
lighttpd -D -f "$RUN/lighttpd.conf" &
pids+=($!)
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
    sleep 0.05
done

cat <<MSG

The suite is running on http://127.0.0.1:$PORT  (Ctrl-C stops it)

  curl http://127.0.0.1:$PORT/api/health
  curl -H "Authorization: Bearer \$(make -s token)" http://127.0.0.1:$PORT/api/users/me
MSG
if [ -x cgi-bin/login.fcgi ]; then
    echo "  sign in with a browser:  http://127.0.0.1:$PORT/api/auth/workos/login"
    echo "  the demo app:            http://127.0.0.1:$PORT/  (use 127.0.0.1, not localhost)"
fi
echo
echo "Logs: var/run/error.log"
wait "${pids[@]}"
