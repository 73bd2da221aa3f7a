# The official Strapi client (@strapi/client, pinned in tests/node) against
# the content API: tests/node/compat.mjs creates, finds, updates and deletes
# articles and blog posts the way a Strapi user's code does, and prints one
# "ok - client: ..." / "not ok - client: ..." line per check.

NODE_DIR=$ROOT/tests/node

# npm_ci_needed: node_modules is missing, or older than package-lock.json
# (npm ci writes node_modules/.package-lock.json, so that file dates it).
npm_ci_needed() {
    [ -f "$NODE_DIR/node_modules/@strapi/client/package.json" ] || return 0
    [ -f "$NODE_DIR/node_modules/.package-lock.json" ] || return 0
    [ "$NODE_DIR/package-lock.json" -nt "$NODE_DIR/node_modules/.package-lock.json" ]
}

# One npm ci at a time per checkout (the plain and sanitizer passes, or two
# runs of the tests): a lock directory that names its holder, so a holder
# that died does not block the next run.
npm_lock=${TMPDIR:-/tmp}/strapi-client-npm.$(printf '%s' "$NODE_DIR" | cksum | cut -d' ' -f1).lock
npm_ok=1
if npm_ci_needed; then
    got_lock=
    for _ in $(seq 1 600); do
        if mkdir "$npm_lock" 2>/dev/null; then
            echo "$BASHPID" >"$npm_lock/pid"
            got_lock=1
            break
        fi
        holder=$(cat "$npm_lock/pid" 2>/dev/null)
        if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
            rm -rf "$npm_lock"
            continue
        fi
        sleep 0.5
    done
    [ -n "$got_lock" ] || echo "# waited 300 s for $npm_lock; installing anyway" >&2
    # Someone else may have installed while we waited.
    if npm_ci_needed; then
        npm ci --prefix "$NODE_DIR" --no-audit --no-fund >"$T_RUN/npm-ci.log" 2>&1 || npm_ok=
    fi
    [ -n "$got_lock" ] && rm -rf "$npm_lock"
fi
want=$(jq -r '.dependencies["@strapi/client"]' "$NODE_DIR/package.json")
have=$(jq -r '.version' "$NODE_DIR/node_modules/@strapi/client/package.json" 2>/dev/null)
if [ -n "$npm_ok" ]; then
    check "npm ci installs @strapi/client" test "$have" = "$want"
else
    t_fail "npm ci installs @strapi/client" "npm ci failed: $(tail -c 600 "$T_RUN/npm-ci.log" | tr '\n' ' ')"
fi

if [ -n "$have" ] && [ "$have" = "$want" ]; then
    # A plain authenticated user writes articles; an admin member of an
    # organization writes its blog posts.
    writer=$(mkuser "compat.writer@example.com")
    admin=$(mkuser "compat.admin@example.com")
    org=org_01COMPATCLIENTTEST
    psql_q "INSERT INTO organizations (id, name) VALUES ('$org', 'Compat Co')"
    psql_q "INSERT INTO memberships (user_id, organization_id, role_slug, status) VALUES ($admin, '$org', 'admin', 'active')"
    jwt=$(token --id "$writer")
    org_jwt=$(token --id "$admin" --org "$org")

    out=$(BASE_URL="http://127.0.0.1:$HTTP_PORT/api" JWT="$jwt" ORG_JWT="$org_jwt" \
        node "$NODE_DIR/compat.mjs" 2>"$T_RUN/compat.err")
    rc=$?
    # Its "ok - client: ..." lines go to the log as they are: run.sh counts them.
    printf '%s\n' "$out"
    if [ "$rc" != 0 ]; then
        t_fail "compat.mjs exits 0" "status $rc; stderr: $(tail -c 600 "$T_RUN/compat.err" | tr '\n' ' ')"
    elif ! printf '%s\n' "$out" | grep -qE '^(not )?ok - client: '; then
        t_fail "compat.mjs reports checks" "no ok or not ok line; stderr: $(tail -c 600 "$T_RUN/compat.err" | tr '\n' ' ')"
    fi
fi
