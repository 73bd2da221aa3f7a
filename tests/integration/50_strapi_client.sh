# The official Strapi client (@strapi/client, pinned in tests/node) against
# the content API: tests/node/compat.mjs creates, finds, updates and deletes
# articles and blog posts the way a Strapi user's code does, and prints one
# "ok - client: ..." / "not ok - client: ..." line per check.

NODE_DIR=$ROOT/tests/node

npm_ok=1
npm_ci_once "$NODE_DIR" @strapi/client || npm_ok=
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
