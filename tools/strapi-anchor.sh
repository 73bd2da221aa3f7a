# shellcheck shell=bash disable=SC2034
# (The variables it sets are read by tools/bench.sh.)
#
# The Strapi v5 anchor of make bench: the tutorial's app (tools/strapi-anchor/),
# served by Strapi itself against a database of the bench's Postgres and
# seeded with the suite's seed, so that rows a-f can be measured on it the
# same way.  A benchmark anchor only: never part of make test, never shipped.
#
# Sourced by tools/bench.sh, which provides ROOT, T (scratch directory), S
# (owner-only directory), PG_PORT, the pids array its cleanup kills, now,
# since and free_port (tools/pg.sh).  Strapi's secrets are generated per run
# into $S/strapi.env and reach Strapi through its environment, never a
# command line or the checkout.

STRAPI_DIR=$ROOT/tools/strapi-anchor

# strapi_install: npm ci when node_modules is missing or older than the lock
# file.  Sets STRAPI_INSTALL_SAID (what was done, and how long it took).
strapi_install() {
    local mark=$STRAPI_DIR/node_modules/.package-lock.json t0 rc
    if [ -f "$mark" ] && [ "$mark" -nt "$STRAPI_DIR/package-lock.json" ]; then
        STRAPI_INSTALL_SAID="dependencies already installed"
        return 0
    fi
    command -v npm >/dev/null 2>&1 || { echo "Strapi anchor: npm not found" >&2; return 1; }
    echo "Strapi anchor: installing its dependencies (npm ci in tools/strapi-anchor, about 700 MB, a minute or more)..."
    t0=$(now)
    # npm draws no progress bar when its output is not a terminal: count its
    # fetches (from the registry or its cache) instead, sum up the warnings
    # about packages that ask for a newer Node.js (Strapi's own tooling;
    # Strapi supports this one), and pass on every other line.
    (cd "$STRAPI_DIR" && npm ci --no-audit --no-fund --loglevel=http 2>&1) |
        awk '/^npm http / { if (++n % 250 == 0) printf "  %d fetched...\n", n; fflush(); next }
             /^npm warn EBADENGINE/ { if ($0 ~ /package:/) eb++; next }
             { print; fflush() }
             END { if (eb) printf "  (%d packages ask for a newer Node.js than %s: npm installs them anyway)\n", eb, "'"$(node --version 2>/dev/null)"'" }'
    rc=${PIPESTATUS[0]}
    if [ "$rc" != 0 ]; then
        echo "Strapi anchor: npm ci failed (exit $rc)" >&2
        return 1
    fi
    STRAPI_INSTALL_SAID="npm ci took $(since "$t0")"
}

# strapi_start ARTICLES SCALE ORG: Strapi on a free loopback port over its
# own database "strapi", seeded; a member of ORG and their JWT.  Sets
# STRAPI_BASE, STRAPI_JWT, STRAPI_PID, STRAPI_VERSION and STRAPI_SAID.
strapi_start() {
    local articles=$1 scale=$2 org=$3 dir=$T/strapi port t0 start_time seed_time v
    local db="postgresql://postgres@127.0.0.1:$PG_PORT/strapi"
    mkdir -p "$dir/public/uploads" || return 1
    psql -X -q "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -c "CREATE DATABASE strapi" || return 1
    (
        umask 077
        for v in APP_KEYS API_TOKEN_SALT ADMIN_JWT_SECRET TRANSFER_TOKEN_SALT JWT_SECRET ENCRYPTION_KEY; do
            if [ "$v" = APP_KEYS ]; then
                printf '%s=%s,%s\n' "$v" "$(openssl rand -hex 16)" "$(openssl rand -hex 16)"
            else
                printf '%s=%s\n' "$v" "$(openssl rand -hex 32)"
            fi
        done >"$S/strapi.env"
    ) || return 1
    port=$(free_port)
    t0=$(now)
    # The WORKOS_* variables are bench.sh's, the ones the suite's login has.
    (
        set -a
        . "$S/strapi.env"
        set +a
        cd "$STRAPI_DIR" &&
            exec env NODE_ENV=production HOST=127.0.0.1 PORT="$port" STRAPI_PUBLIC_DIR="$dir/public" \
                DATABASE_HOST=127.0.0.1 DATABASE_PORT="$PG_PORT" DATABASE_NAME=strapi DATABASE_USERNAME=postgres \
                STRAPI_TELEMETRY_DISABLED=true FORCE_COLOR=0 \
                node server.js
    ) >"$dir/strapi.log" 2>&1 &
    STRAPI_PID=$!
    pids+=("$STRAPI_PID")
    STRAPI_BASE="http://127.0.0.1:$port"
    # Its first start creates its tables, then src/index.js grants the reads.
    local end=$((SECONDS + 180))
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$STRAPI_BASE/api/articles")" = 200 ]; do
        if ! kill -0 "$STRAPI_PID" 2>/dev/null || [ "$SECONDS" -ge "$end" ]; then
            echo "Strapi anchor: Strapi did not answer on port $port; the end of its log:" >&2
            tail -n 15 "$dir/strapi.log" | sed 's/^/  /' >&2
            return 1
        fi
        sleep 0.2
    done
    start_time=$(since "$t0")
    STRAPI_VERSION=$(node -p 'require(process.argv[1] + "/node_modules/@strapi/strapi/package.json").version' "$STRAPI_DIR")

    # The suite's seed (tools/bench.sh), into Strapi's tables: the same ids,
    # document ids, titles, contents, organizations and times.  Both types
    # are without draft & publish, so a document is one row whose
    # publishedAt is set (a blog post's draft or published is its status
    # attribute, as in the tutorial); locale stays null (no i18n).
    # Strapi keeps times as UTC in columns without a time zone.
    t0=$(now)
    psql -X -q -v ON_ERROR_STOP=1 "$db" <<SQL || return 1
SET maintenance_work_mem = '256MB';
$(seed_rows "$articles" "$scale" "AT TIME ZONE 'UTC'" t)
-- The member: a users-permissions user of the Authenticated role, in the
-- organization the tutorial's callback would have stored.
WITH u AS (
    INSERT INTO up_users (document_id, username, email, provider, confirmed, blocked, organization_id,
                          created_at, updated_at, published_at)
    VALUES ('benchuser000000000000000', 'bench', 'bench@example.com', 'local', true, false, '$org',
            now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
    RETURNING id)
INSERT INTO up_users_role_lnk (user_id, role_id, user_ord)
SELECT u.id, r.id, 1 FROM u, up_roles r WHERE r.type = 'authenticated';
ANALYZE;
SQL
    seed_time=$(since "$t0")
    # The member's JWT, as users-permissions issues it (jsonwebtoken, HS256,
    # {id, iat, exp}, 30 days), signed with this run's secret.
    STRAPI_JWT=$(
        set -a
        . "$S/strapi.env"
        hs256_jwt "{\"id\": $(psql -X -qtA "$db" -c "SELECT id FROM up_users WHERE username = 'bench'")}" $((30 * 86400))
    ) || return 1
    STRAPI_SAID="Strapi $STRAPI_VERSION, one Node process (NODE_ENV=production): started in $start_time, seeded in $seed_time"
}

# strapi_stop: Strapi, by its PID, now (the rest of the bench runs without it).
strapi_stop() {
    local p keep=()
    [ -n "${STRAPI_PID:-}" ] || return 0
    kill -TERM "$STRAPI_PID" 2>/dev/null
    wait "$STRAPI_PID" 2>/dev/null
    for p in "${pids[@]}"; do [ "$p" = "$STRAPI_PID" ] || keep+=("$p"); done
    pids=("${keep[@]}")
    STRAPI_PID=
}
