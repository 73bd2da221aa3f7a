#!/usr/bin/env bash
# make run: serve the suite on http://127.0.0.1:${PORT:-1337} under lighttpd,
# with a private Postgres cluster and, when no WorkOS credentials are in
# the environment, the fake WorkOS as the identity provider.  Ctrl-C stops
# everything it started; running it again reuses the data in ./var.
#
# One make run per checkout: it holds a lock on var/run.lock for its whole
# life, and a second one in the same checkout refuses to start (it would
# share, and restart, the same Postgres).
#
# Everything it writes is readable by its owner only (umask 077): the
# secrets (var/secrets.env), the lighttpd configuration that passes them
# on, the fake WorkOS's signing key.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. tools/pg.sh

PORT=${PORT:-1337}
VAR=$ROOT/var
RUN=$VAR/run
mkdir -p "$VAR" "$RUN"
# The postgres user must be able to pass through var/ to its cluster.
chmod 755 "$VAR"
chmod 700 "$RUN"
umask 077

exec 9>>"$VAR/run.lock"
if ! flock -n 9; then
    echo "make run is already running in this checkout ($ROOT): stop it first (Ctrl-C where it runs); a second one would share and restart its Postgres" >&2
    exit 1
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "port $PORT is already in use by another program: stop that program, or choose a free port, e.g. make run PORT=8080" >&2
    exit 1
fi

# Secrets made once and kept, so tokens and logins survive a restart.
if [ ! -f "$VAR/secrets.env" ]; then
    {
        echo "JWT_SECRET=$(openssl rand -hex 32)"
        echo "LOCAL_COOKIE_PASSWORD=$(openssl rand -hex 32)"
    } >"$VAR/secrets.env"
fi
chmod 600 "$VAR/secrets.env"
. "$VAR/secrets.env"
export JWT_SECRET

# Where the Postgres cluster lives: var/pg, unless the postgres user (that
# runs it when we are root) cannot enter the checkout, e.g. a clone under
# /root or in any 0700 directory.  Then it lives in a root-owned directory
# under /var/tmp named after the checkout, and var/pg links to it.
PG_DIR=$VAR/pg
if [ -L "$VAR/pg" ]; then
    PG_DIR=$(readlink "$VAR/pg")
elif [ "$(id -u)" = 0 ] && [ ! -d "$VAR/pg" ] && ! runuser -u postgres -- test -x "$VAR" 2>/dev/null; then
    base=/var/tmp/workos-strapi-c
    mkdir -p "$base"
    if [ -L "$base" ] || [ "$(stat -c %u "$base")" != 0 ]; then
        echo "$base is not a directory owned by root: remove it and run make run again" >&2
        exit 1
    fi
    chmod 711 "$base"
    PG_DIR=$base/$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)
    ln -sfn "$PG_DIR" "$VAR/pg"
fi

pids=()
cleanup() {
    trap - EXIT INT TERM
    echo
    echo "stopping..."
    rm -f "$RUN/env"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    pg_stop "$PG_DIR"
    echo "stopped; data kept in $VAR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "starting Postgres, the programs and lighttpd (logs in var/run/)..."
PG_PORT=$(free_port)
# (Postgres outlives no run, so it does not get the lock: 9>&-.)
pg_init "$PG_DIR" 9>&- || exit 1
pg_stop "$PG_DIR" 9>&- # a cluster left running by a killed run
pg_start "$PG_DIR" "$PG_PORT" 9>&- || exit 1
export DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/app"
psql -X -q "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'app'" | grep -q 1 ||
    psql -X -q "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -c "CREATE DATABASE app" || exit 1
./bin/migrate --dir sql >"$RUN/migrate.log" 2>&1 || { cat "$RUN/migrate.log" >&2; exit 1; }

FAKE_URL=
if [ -z "${WORKOS_API_KEY:-}" ]; then
    # The fake WorkOS as the identity provider; what the user set
    # (WORKOS_REDIRECT_URI, WORKOS_CLIENT_ID...) is kept.
    export WORKOS_CLIENT_ID=${WORKOS_CLIENT_ID:-client_test}
    node tests/fake-workos/server.js --port 0 --state-file "$VAR/fake-workos.json" \
        --client-id "$WORKOS_CLIENT_ID" --api-key sk_test_fake \
        >"$RUN/fake.out" 2>"$RUN/fake.log" 9>&- &
    pids+=($!)
    for _ in $(seq 1 100); do
        grep -q '^listening on' "$RUN/fake.out" 2>/dev/null && break
        sleep 0.05
    done
    FAKE_URL=$(sed -n 's/^listening on //p' "$RUN/fake.out")
    [ -n "$FAKE_URL" ] || { echo "the fake WorkOS did not start; see var/run/fake.log" >&2; exit 1; }
    export WORKOS_API_BASE=$FAKE_URL WORKOS_API_KEY=sk_test_fake
    export WORKOS_COOKIE_PASSWORD=${WORKOS_COOKIE_PASSWORD:-$LOCAL_COOKIE_PASSWORD}
    export WORKOS_REDIRECT_URI=${WORKOS_REDIRECT_URI:-http://127.0.0.1:$PORT/api/auth/workos/callback}
    export WORKOS_TIMEOUT=${WORKOS_TIMEOUT:-5s}
else
    for v in WORKOS_CLIENT_ID WORKOS_REDIRECT_URI WORKOS_COOKIE_PASSWORD; do
        [ -n "${!v:-}" ] || { echo "WORKOS_API_KEY is set, so $v must be set too" >&2; exit 1; }
    done
fi

# WorkOS sync: webhook.fcgi verifies with WORKOS_WEBHOOK_SECRET (made once
# and kept when not given: set the dashboard's to receive real WorkOS
# webhooks); the fake sends its webhooks here; workos-sync follows the
# Events API beside the web server (log: var/run/workos-sync.log).
if [ -z "${WORKOS_WEBHOOK_SECRET:-}" ]; then
    [ -s "$VAR/webhook-secret" ] || (umask 077 && openssl rand -hex 32 >"$VAR/webhook-secret")
    WORKOS_WEBHOOK_SECRET=$(cat "$VAR/webhook-secret")
fi
export WORKOS_WEBHOOK_SECRET
if [ -n "$FAKE_URL" ]; then
    curl -sS -o /dev/null -X POST -H 'Content-Type: application/json' \
        --data "{\"url\":\"http://127.0.0.1:$PORT/api/webhooks/workos\",\"secret\":\"$WORKOS_WEBHOOK_SECRET\"}" \
        "$FAKE_URL/_fake/webhooks" || echo "could not point the fake WorkOS's webhooks here" >&2
fi
if [ -x bin/workos-sync ]; then
    ./bin/workos-sync --interval "${WORKOS_SYNC_INTERVAL:-10s}" 2>>"$RUN/workos-sync.log" 9>&- &
    pids+=($!)
fi

# What `make token` and `make psql` need to reach this run.
{
    echo "DATABASE_URL=$DATABASE_URL"
    echo "FAKE_WORKOS_URL=$FAKE_URL"
} >"$RUN/env"

# The demo app (examples/spa) at /, beside the API.
export DOC_ROOT=$ROOT/examples/spa
# The configuration holds the secrets: umask 077 keeps it to its owner.
# The programs' own lines (start-up, stop) go to the log, not the terminal.
# The content pool gets one process per core, as the shipped lighttpd.conf
# gives it (MAX_PROCS, when set, sizes every pool); the others one each.
MAX_PROCS_content=${MAX_PROCS_content:-${MAX_PROCS:-$(sh apache-conf/cores.sh)}} \
    PORT=$PORT RUN_DIR=$RUN BIN_DIR=$ROOT bash tools/lighttpd-conf.sh >"$RUN/lighttpd.conf" || exit 1
lighttpd -D -f "$RUN/lighttpd.conf" 2>>"$RUN/error.log" 9>&- &
pids+=($!)
up=0
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/" && { up=1; break; }
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.05
done
[ $up = 1 ] || { echo "lighttpd did not start; see var/run/error.log" >&2; tail -n 5 "$RUN/error.log" >&2; exit 1; }

base=http://127.0.0.1:$PORT
cat <<MSG

The suite is running on $base  (Ctrl-C stops it)

  curl $base/api/health
  JWT=\$(make -s token)                          # a JWT of dev@example.com
  curl -H "Authorization: Bearer \$JWT" $base/api/users/me
  JWT=\$(make -s token ORG=org_demo ROLE=admin)  # ... who may write blog posts
MSG
if [ -x cgi-bin/login.fcgi ]; then
    echo "  sign in with a browser:  $base/api/auth/workos/login"
    echo "  the demo app:            $base/  (use 127.0.0.1, not localhost)"
fi
if [ -n "$FAKE_URL" ]; then
    echo "  WorkOS: the fake one at $FAKE_URL (no WORKOS_API_KEY set)"
fi
cat <<MSG

Database: $DATABASE_URL  (make psql)
Logs:     var/run/error.log (lighttpd and the programs)$([ -n "$FAKE_URL" ] && echo ", var/run/fake.log"), $PG_DIR/postgres.log
MSG
wait "${pids[@]}"
