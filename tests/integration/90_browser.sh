# The demo app (examples/spa) in a real browser: lighttpd serves it at /
# beside the API, and tests/browser/journey.mjs drives Debian's Chromium
# (headless, through puppeteer-core pinned in tests/browser) through a
# person's whole journey: sign-in on the fake WorkOS page, organizations,
# blog posts, a second tab, a reload, token renewal, sign-out, another
# user.  One line per step; a screenshot per step in $T_RUN/screens/.

BROWSER_DIR=$ROOT/tests/browser
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# ------------------------------------------------------------ the driver
# npm ci into tests/browser when node_modules is missing or older than the
# lock file, one install at a time (tests/lib.sh).
browser_npm_ok=1
npm_ci_once "$BROWSER_DIR" puppeteer-core || browser_npm_ok=
want=$(jq -r '.dependencies["puppeteer-core"]' "$BROWSER_DIR/package.json")
have=$(jq -r '.version' "$BROWSER_DIR/node_modules/puppeteer-core/package.json" 2>/dev/null)
if [ -n "$browser_npm_ok" ]; then
    check "npm ci installs puppeteer-core $want" test "$have" = "$want"
else
    t_fail "npm ci installs puppeteer-core $want" "npm ci failed: $(tail -c 600 "$T_RUN/npm-ci.log" | tr '\n' ' ')"
fi
if [ -x "$CHROMIUM" ]; then
    t_ok "Chromium is installed ($("$CHROMIUM" --version 2>/dev/null | head -1))"
else
    t_fail "Chromium is installed" "no $CHROMIUM: run make deps (Debian package chromium)"
fi

# ------------------------------------------------------------ the app, served
# Tokens live 30 s here, so the journey sees the app renew one on its own.
lighttpd_stop
export DOC_ROOT=$ROOT/examples/spa ACCESS_TOKEN_TTL=30s
lighttpd_start || t_fail "lighttpd restarts serving examples/spa"
BASE=http://127.0.0.1:$HTTP_PORT

req GET /
expect_status "GET / serves the app" 200
check "the app is text/html" grep -qi '^text/html' <<<"$(header Content-Type)"
check "the app is index.html" grep -q 'data-testid="sign-in"' <<<"$BODY"
req GET /app.js
check "app.js is served as JavaScript (module scripts need it)" grep -qi '^200 text/javascript' <<<"$STATUS $(header Content-Type)"
req GET /style.css
check "style.css is served as CSS" grep -qi '^200 text/css' <<<"$STATUS $(header Content-Type)"
req GET /api/health
expect_json "the API keeps its routes beside the app" '.status == "ok"'
req GET /api/no-such-route
expect_error "an unknown API path is still the API's JSON 404" 404 NotFoundError
req GET /no-such-file.html
check "an unknown file is a plain 404" test "$STATUS" = 404

# ------------------------------------------------------------ the people
fake POST /_fake/reset >/dev/null
ANN=user_01SPAANN BOB=user_01SPABOB
ORG_A=org_01SPAALPHA ORG_B=org_01SPABETA ORG_SSO=org_01SPASSO
fake POST /_fake/organizations "{\"id\":\"$ORG_A\",\"name\":\"Alpha\"}" >/dev/null
fake POST /_fake/organizations "{\"id\":\"$ORG_B\",\"name\":\"Beta\"}" >/dev/null
fake POST /_fake/organizations "{\"id\":\"$ORG_SSO\",\"name\":\"Needs SSO\",\"require_reauth\":\"sso_required\"}" >/dev/null
fake POST /_fake/users "{\"id\":\"$ANN\",\"email\":\"ann@example.com\",\"first_name\":\"Ann\",\"last_name\":\"Archer\"}" >/dev/null
fake POST /_fake/users "{\"id\":\"$BOB\",\"email\":\"bob@example.com\",\"first_name\":\"Bob\",\"last_name\":\"Baker\"}" >/dev/null
fake POST /_fake/memberships "{\"user_id\":\"$ANN\",\"organization_id\":\"$ORG_A\",\"role\":\"admin\"}" >/dev/null
fake POST /_fake/memberships "{\"user_id\":\"$ANN\",\"organization_id\":\"$ORG_B\",\"role\":\"member\"}" >/dev/null
fake POST /_fake/memberships "{\"user_id\":\"$ANN\",\"organization_id\":\"$ORG_SSO\",\"role\":\"member\"}" >/dev/null
fake POST /_fake/memberships "{\"user_id\":\"$BOB\",\"organization_id\":\"$ORG_B\",\"role\":\"member\"}" >/dev/null

# /api/users/me/organizations lists the memberships known here, which a
# sign-in into each organization records: Ann has used all three before
# (API-client sign-ins, as a script of hers would).
for org in $ORG_A $ORG_B $ORG_SSO; do
    jar=$T_RUN/jar.$org
    loc=$(curl -gsS -c "$jar" -o /dev/null -w '%{redirect_url}' \
        "$BASE/api/auth/workos/login?organization=$org")
    cb=$(curl -gsS -o /dev/null -w '%{redirect_url}' "$loc&user=$ANN")
    curl -gsS -b "$jar" -o "$T_RUN/seed.$org" "$cb"
    check "Ann has signed in to $org before" jq -e ".user.organizationId == \"$org\"" "$T_RUN/seed.$org"
done

# Public articles, written by a plain authenticated user.
writer=$(mkuser "spa.writer@example.com")
writer_jwt=$(token --id "$writer")
for t in "Welcome to the demo" "How sessions work"; do
    req POST /api/articles -H "Authorization: Bearer $writer_jwt" -H 'Content-Type: application/json' \
        --data "{\"data\":{\"title\":\"$t\",\"content\":\"An article anyone can read.\"}}"
    expect_status "article \"$t\" is published" 201
done

# ------------------------------------------------------------ the journey
journey_pid=
# browser_left PID: how many live (not zombie) processes are in the process
# group that Chromium leads (puppeteer starts it as a group leader).
browser_left() {
    ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/' | wc -l
}
browser_cleanup() {
    local pid
    [ -n "$journey_pid" ] && kill -TERM "$journey_pid" 2>/dev/null
    pid=$(cat "$T_RUN/chromium.pid" 2>/dev/null)
    [ -n "$pid" ] || return 0
    if [ "$(browser_left "$pid")" != 0 ]; then
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    fi
    for _ in $(seq 1 100); do
        [ "$(browser_left "$pid")" = 0 ] && break
        sleep 0.05
    done
    return 0
}
if [ "$have" = "$want" ] && [ -x "$CHROMIUM" ]; then
    trap browser_cleanup EXIT
    trap 'exit 130' INT TERM
    mkdir -p "$T_RUN/screens" "$T_RUN/chromium-profile"
    : >"$T_RUN/journey.log"
    BASE_URL=$BASE FAKE_URL=$FAKE_URL SCREENS=$T_RUN/screens PROFILE=$T_RUN/chromium-profile \
        CHROMIUM=$CHROMIUM PIDFILE=$T_RUN/chromium.pid JOURNEY_LOG=$T_RUN/journey.log \
        ANN=$ANN BOB=$BOB ORG_A=$ORG_A ORG_B=$ORG_B ORG_SSO=$ORG_SSO \
        timeout -k 10 900 node "$BROWSER_DIR/journey.mjs" 2>"$T_RUN/journey.err" &
    journey_pid=$!
    echo "$journey_pid" >>"$T_PIDS"
    wait "$journey_pid"
    rc=$?
    journey_pid=
    browser_cleanup
    trap - EXIT INT TERM
    steps=$(grep -c '^\(not \)\?ok - ' "$T_RUN/journey.log")
    if [ "$rc" != 0 ] || [ "$steps" = 0 ]; then
        t_fail "the journey runs to its end" "status $rc after $steps steps; stderr: $(grep -v '^[0-9.]*s tab [0-9]*: ' "$T_RUN/journey.err" | tail -c 600 | tr '\n' ' ')"
    fi
    shots=$(find "$T_RUN/screens" -name '[0-9][0-9]-*.png' | wc -l)
    check "a screenshot of every step in \$T_RUN/screens ($shots for $steps steps)" test "$shots" -ge "$steps" -a "$steps" -gt 0
    pid=$(cat "$T_RUN/chromium.pid" 2>/dev/null)
    if [ -z "$pid" ]; then
        t_fail "Chromium is stopped" "the journey recorded no browser PID"
    else
        check "Chromium is stopped, every process of it" test "$(browser_left "$pid")" = 0
    fi
fi
