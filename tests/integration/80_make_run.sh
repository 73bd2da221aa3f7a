# make run, make token and make psql as a newcomer uses them, following
# README.md: from a copy of this checkout in a 0700 directory (as a clone
# under /root is), with none of the tests' variables in the environment.
#
#   - make run starts (the postgres user cannot enter the checkout), shows
#     its banner (URLs, the database URL, the logs) and little else, and a
#     second start rebuilds nothing;
#   - a second make run in the same checkout refuses, and the first one
#     goes on serving;
#   - every file it writes that holds a secret is readable by its owner only;
#   - WORKOS_REDIRECT_URI from the environment is kept;
#   - make token (also ORG=... ROLE=...) and make psql work while it runs,
#     and make token says to start make run when nothing runs;
#   - what lighttpd answers itself is JSON there too;
#   - make bench's table is not interleaved with the programs' lines.
#
# make run builds its own programs, so this runs once, in the plain pass.

[ "$BIN_DIR" = "$ROOT" ] || return 0

C=$T_RUN/private
mkdir -m 700 "$C"
X=$C/checkout
mkdir "$X"
(cd "$ROOT" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -P -t "$X") ||
    t_fail "a copy of the checkout is made"
if [ "$(id -u)" = 0 ]; then
    check "precondition: the postgres user cannot enter the copy" \
        bash -c "! runuser -u postgres -- test -x '$X'"
fi

MR_PORT=$(free_port)
# A user's shell: none of the tests' variables, no parent make.
mr_env=(env -u DATABASE_URL -u JWT_SECRET -u WORKOS_API_KEY -u WORKOS_API_BASE -u WORKOS_CLIENT_ID
    -u WORKOS_COOKIE_PASSWORD -u WORKOS_TIMEOUT -u WORKOS_REDIRECT_URI -u MAKEFLAGS -u MFLAGS
    -u MAKELEVEL -u MAKEOVERRIDES -u ASAN_OPTIONS -u UBSAN_OPTIONS -u MAX_PROCS)
REDIRECT="http://localhost:$MR_PORT/api/auth/workos/callback"

# mr_start OUT [VAR=value...]: `make run PORT=$MR_PORT` in the copy, in its
# own process group (stopped by group id, as Ctrl-C would); sets MR_PID.
mr_start() {
    local out=$1
    shift
    (cd "$X" && exec "${mr_env[@]}" "$@" setsid make run PORT="$MR_PORT") >"$out" 2>&1 </dev/null &
    MR_PID=$!
    echo "-$MR_PID" >>"$T_PIDS"
    # Up to 10 minutes: the first start builds a fresh copy (a loaded
    # machine, a sanitizer pass); a failure stops it at once.
    for _ in $(seq 1 6000); do
        grep -q '^Logs:' "$out" 2>/dev/null && break
        kill -0 "$MR_PID" 2>/dev/null || break
        sleep 0.1
    done
    # The cluster, in case a failure leaves it running.
    head -n 1 "$(readlink -f "$X/var/pg")/data/postmaster.pid" 2>/dev/null >>"$T_PIDS"
    grep -q '^Logs:' "$out"
}

mr_stop() {
    kill -INT -- "-$MR_PID" 2>/dev/null
    for _ in $(seq 1 300); do
        kill -0 "$MR_PID" 2>/dev/null || break
        sleep 0.1
    done
    wait "$MR_PID" 2>/dev/null
}

mk() { # make ARGS... in the copy, as the user would type it
    (cd "$X" && "${mr_env[@]}" make "$@")
}

if mr_start "$T_RUN/run1.out" WORKOS_REDIRECT_URI="$REDIRECT"; then
    t_ok "make run starts from a checkout in a 0700 directory"
else
    t_fail "make run starts from a checkout in a 0700 directory" "$(tail -n 15 "$T_RUN/run1.out")"
fi
HTTP_PORT=$MR_PORT
req GET /api/health
expect_status "make run: health answers 200" 200
OUT=$(cat "$T_RUN/run1.out")

# --- the banner, and little else
check "make run: the banner names the URL" grep -qF "http://127.0.0.1:$MR_PORT" <<<"$OUT"
DB_URL=$(sed -n 's/^Database: *\(postgresql:[^ ]*\).*/\1/p' <<<"$OUT")
check "make run: the banner shows the database URL ($DB_URL)" test -n "$DB_URL"
check "make run: ... which psql can use" bash -c "psql -X -tAc 'SELECT 1' '$DB_URL' | grep -qx 1"
check "make run: the banner says where the logs are" grep -q '^Logs: .*var/run/error.log' <<<"$OUT"
check "make run: no compiler line is shown" bash -c '! grep -qE "(^| )(cc|gcc|ar) " <<<"$0"' "$OUT"
check "make run: no program's start-up line is shown" bash -c '! grep -q "info: ready" <<<"$0"' "$OUT"
check "make run: the programs' start-up lines are in var/run/error.log" grep -q 'content.fcgi\[[0-9]*\] info: ready' "$X/var/run/error.log"
check "make run: the output is short ($(wc -l <<<"$OUT") lines)" test "$(wc -l <<<"$OUT")" -le 25
if [ "$(id -u)" = 0 ]; then
    check "make run: the cluster lives where the postgres user can reach it" \
        runuser -u postgres -- test -w "$(readlink -f "$X/var/pg")/data"
fi

# --- make psql, make help
check "make psql: runs psql on the running database" \
    bash -c "echo 'SELECT 40 + 2' | (cd '$X' && ${mr_env[*]} make -s psql) | grep -q 42"
mk -s help >"$T_RUN/help.out" 2>&1
missing=""
for t in $(sed -n '/^\.PHONY:/,/[^\\]$/p' "$ROOT/Makefile" | tr -d '\\' | sed 's/^\.PHONY://'); do
    [ "$t" = all ] && continue
    grep -q "^make $t " "$T_RUN/help.out" || missing="$missing $t"
done
check "make help lists every target${missing:+ (missing:$missing)}" test -z "$missing"

# --- one make run per checkout
other=$(free_port)
(cd "$X" && "${mr_env[@]}" timeout 60 make run PORT="$other") >"$T_RUN/run2.out" 2>&1 </dev/null
rc=$?
check "a second make run in the same checkout refuses (rc $rc)" test "$rc" != 0 -a "$rc" != 124
check "... saying that make run already runs here" grep -q 'already running in this checkout' "$T_RUN/run2.out"
check "... without suggesting another port" bash -c '! grep -q "PORT=" "$0"' "$T_RUN/run2.out"
req GET /api/health
expect_json "the first make run still serves, its database up" '.status == "ok" and .database == "up"'
check "the first make run's database is the same" bash -c "psql -X -tAc 'SELECT 1' '$DB_URL' | grep -qx 1"

# --- secrets: owner only
(
    . "$X/var/secrets.env"
    JWT_SECRET=$JWT_SECRET WORKOS_COOKIE_PASSWORD=$LOCAL_COOKIE_PASSWORD WORKOS_WEBHOOK_SECRET=
    check "make run: the secrets are in var/secrets.env and var/run/lighttpd.conf" \
        grep -qF "$JWT_SECRET" "$X/var/run/lighttpd.conf"
    private_secrets "make run: no file that others may read holds a secret" "$X/var"
    check "make run: var/run/lighttpd.conf is 0600" test "$(stat -c %a "$X/var/run/lighttpd.conf")" = 600
    check "make run: the fake WorkOS's state (its signing key) is 0600" \
        test "$(stat -c %a "$X/var/fake-workos.json")" = 600
)

# --- WORKOS_REDIRECT_URI from the environment
req GET /api/auth/workos/login
check "make run keeps WORKOS_REDIRECT_URI from the environment" \
    grep -qF "redirect_uri=$(jq -rn --arg u "$REDIRECT" '$u|@uri')&" <<<"$(header Location)&"

# --- README: a token, the API with it, blog posts with ORG and ROLE
JWT=$(mk -s token 2>"$T_RUN/token.err")
req GET /api/users/me -H "Authorization: Bearer $JWT"
expect_json "make token: a JWT of dev@example.com" '.email == "dev@example.com"'
JWT=$(mk -s token ORG=org_demo ROLE=admin 2>"$T_RUN/token.err")
req POST /api/blog-posts -H "Authorization: Bearer $JWT" -H 'Content-Type: application/json' \
    --data '{"data":{"title":"Hello from make token","content":"..."}}'
expect_status "make token ORG=org_demo ROLE=admin: the token writes a blog post" 201
expect_json "... in org_demo" '.data.organizationId == "org_demo"'
POST_ID=$(jq -r '.data.documentId // empty' <<<"$BODY")
JWT_MEMBER=$(mk -s token ORG=org_other ROLE=viewer 2>>"$T_RUN/token.err")
req POST /api/blog-posts -H "Authorization: Bearer $JWT_MEMBER" -H 'Content-Type: application/json' \
    --data '{"data":{"title":"Not allowed"}}'
expect_status "make token ORG=org_other ROLE=viewer: a role without writes may not" 403
# The membership is at the fake WorkOS too: a sign-in through it into org_demo.
FAKE=$(sed -n 's/^FAKE_WORKOS_URL=//p' "$X/var/run/env")
jar=$T_RUN/mr.jar
loc=$(curl -gsS -c "$jar" -o /dev/null -w '%{redirect_url}' \
    "http://127.0.0.1:$MR_PORT/api/auth/workos/login?organization=org_demo&login_hint=dev%40example.com")
cb=$(curl -gsS -o /dev/null -w '%{redirect_url}' "$loc")
req GET "${cb#http://localhost:"$MR_PORT"}" -b "$jar"
expect_json "make token ORG=org_demo ROLE=admin: the fake WorkOS signs dev@example.com into org_demo as admin" \
    '.user.email == "dev@example.com" and .user.organizationId == "org_demo" and .user.role == "admin"'
check "make token: the fake WorkOS's URL was known ($FAKE)" test -n "$FAKE"

# --- README's content API examples, as pasted (with this run's port)
sed -n '/^    api=http:\/\/127.0.0.1:1337\/api$/,/^    curl -s -X DELETE -H "\$auth" \$api\/blog-posts\/\$post$/p' "$ROOT/README.md" |
    sed -n -e "s/127.0.0.1:1337/127.0.0.1:$MR_PORT/" -e 's/^    //p' >"$T_RUN/readme.sh"
echo 'echo; echo "doc=$doc post=$post"' >>"$T_RUN/readme.sh"
check "README's examples were found" test "$(wc -l <"$T_RUN/readme.sh")" -ge 15
(cd "$X" && "${mr_env[@]}" bash "$T_RUN/readme.sh") >"$T_RUN/readme.out" 2>&1
check "README's article and blog-post examples work as pasted" \
    grep -qE '^doc=[a-z0-9]{24} post=[a-z0-9]{24}$' "$T_RUN/readme.out"
check "... with no error answer" bash -c '! grep -q "\"error\"" "$0"' "$T_RUN/readme.out"
check "... the article was updated" grep -q '"content":"changed"' "$T_RUN/readme.out"
check "... the published post was found and archived" \
    bash -c 'grep -q "\"title\":\"Launch notes\"" "$0" && grep -q "\"status\":\"archived\"" "$0"' "$T_RUN/readme.out"

# --- documentation: every file the docs name exists in the repository
missing=""
for f in "$ROOT/README.md" "$ROOT"/docs/*.md "$ROOT/tests/fake-workos/README.md"; do
    d=$(dirname "$f")
    for l in $(grep -oE '\]\([^)#: ]+\)' "$f" | sed 's/^](//; s/)$//'); do
        [ -e "$d/$l" ] || missing="$missing ${f#"$ROOT"/}:$l"
    done
    for l in $(grep -oE '`(spec|docs)/[A-Za-z0-9_./-]+`' "$f" | tr -d '`'); do
        [ -e "$ROOT/$l" ] || missing="$missing ${f#"$ROOT"/}:$l"
    done
done
check "the files README.md and docs/ link to exist${missing:+ (missing:$missing)}" test -z "$missing"

# --- what lighttpd answers itself, under make run's configuration
SMOKE_JWT=$JWT server_errors make-run

# --- stopped: make token says so; started again: nothing rebuilt, data kept
mr_stop
check "make run stops on Ctrl-C" grep -q '^stopped; data kept' "$T_RUN/run1.out"
mk -s token >"$T_RUN/token.out" 2>"$T_RUN/token.err"
rc=$?
check "make token with nothing running fails (rc $rc)" test "$rc" != 0
check "... saying to start make run first" grep -q "start it with 'make run'" "$T_RUN/token.err"
check "... with no database error" bash -c '! grep -qiE "libpq|connection|could not" "$0"' "$T_RUN/token.err"
check "... once ($(grep -c . "$T_RUN/token.err") lines)" test "$(grep -vc '^make: \*\*\*' "$T_RUN/token.err")" = 1
taken=${FAKE_URL##*:}
mk run PORT="$taken" >"$T_RUN/run3.out" 2>&1 </dev/null
rc=$?
check "make run on a port in use refuses (rc $rc)" test "$rc" != 0
check "... saying so, before it starts anything" \
    bash -c 'grep -q "port $1 is already in use by another program" "$0" && ! grep -q "^starting" "$0"' "$T_RUN/run3.out" "$taken"
objs_before=$(cd "$X" && find build -name '*.o' -printf '%p %T@\n' | sort)
if mr_start "$T_RUN/run4.out"; then
    t_ok "make run starts again"
else
    t_fail "make run starts again" "$(tail -n 15 "$T_RUN/run4.out")"
fi
objs_after=$(cd "$X" && find build -name '*.o' -printf '%p %T@\n' | sort)
check "make run: a second start rebuilds nothing" test -n "$objs_before" -a "$objs_before" = "$objs_after"
check "make run: a second start shows no compiler line" bash -c '! grep -qE "(^| )(cc|gcc|ar) " "$0"' "$T_RUN/run4.out"
req GET "/api/blog-posts/$POST_ID" -H "Authorization: Bearer $JWT"
expect_json "make run: the data of the first run is kept" '.data.title == "Hello from make token"'
mr_stop

# --- make bench: its table, and none of the programs' lines between its rows
(cd "$X" && "${mr_env[@]}" make -s bench DURATION=1s CONNECTIONS=2 PROCS=1) >"$T_RUN/bench.out" 2>&1 </dev/null
check "make bench prints its table" grep -q '^GET /api/health ' "$T_RUN/bench.out"
check "make bench: no program's line between the rows" bash -c '! grep -qE "info: (ready|stopping)" "$0"' "$T_RUN/bench.out"

pgdir=$(readlink "$X/var/pg")
case $pgdir in /var/tmp/workos-strapi-c/?*) rm -rf "$pgdir" ;; esac
