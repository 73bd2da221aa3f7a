# Shared helpers of the integration tests (bash).  tests/run.sh sources
# this file, starts the services, and runs each tests/integration/*.sh in a
# subshell with a fresh database and a fresh lighttpd.
#
# Every check prints one line, "ok - <suite>: <what>" or
# "not ok - <suite>: <what>: <why>"; run.sh counts them.

. "$ROOT/tools/pg.sh"

T_SUITE=${T_SUITE:-?}

t_ok()   { echo "ok - $T_SUITE: $1"; }
t_fail() { echo "not ok - $T_SUITE: $1${2:+: $2}"; }

# check NAME COMMAND...: ok when the command succeeds.
check() {
    local name=$1; shift
    if "$@" >/dev/null 2>&1; then t_ok "$name"; else t_fail "$name" "failed: $*"; fi
}

# req METHOD PATH [curl args...]: sets STATUS, BODY, and $T_RUN/hdrs.
req() {
    local m=$1 p=$2; shift 2
    local how=(-X "$m")
    [ "$m" = HEAD ] && how=(-I)
    STATUS=$(curl -gsS --max-time 30 -o "$T_RUN/body" -D "$T_RUN/hdrs" -w '%{http_code}' \
        "${how[@]}" "$@" "http://127.0.0.1:$HTTP_PORT$p" 2>"$T_RUN/curl.err") || true
    [ -n "$STATUS" ] || STATUS=000
    BODY=$(cat "$T_RUN/body" 2>/dev/null)
}

# header NAME: the value of a response header of the last req.
header() {
    tr -d '\r' <"$T_RUN/hdrs" | awk -v n="$(echo "$1" | tr 'A-Z' 'a-z')" -F': ' \
        'tolower($1) == n { sub(/^[^:]*: /, ""); print; exit }'
}

expect_status() { # NAME CODE
    if [ "$STATUS" = "$2" ]; then t_ok "$1"
    else t_fail "$1" "status $STATUS, want $2; body: ${BODY:0:300}"; fi
}

# expect_json NAME JQ-EXPR: ok when the expression is true of the body.
expect_json() {
    if printf '%s' "$BODY" | jq -e "$2" >/dev/null 2>&1; then t_ok "$1"
    else t_fail "$1" "not true: $2; status $STATUS; body: ${BODY:0:300}"; fi
}

# expect_error NAME STATUS ERROR-NAME [MESSAGE]: Strapi's error envelope.
expect_error() {
    local name=$1 st=$2 en=$3 msg=${4:-}
    local f='.data == null and .error.status == ($st|tonumber) and .error.name == $en and (.error.details | type) == "object"'
    [ -n "$msg" ] && f="$f and .error.message == \$msg"
    if [ "$STATUS" = "$st" ] && printf '%s' "$BODY" | jq -e --arg st "$st" --arg en "$en" --arg msg "$msg" "$f" >/dev/null 2>&1; then
        t_ok "$name"
    else
        t_fail "$name" "want $st $en${msg:+ \"$msg\"}; got status $STATUS, body: ${BODY:0:300}"
    fi
}

# expect_envelope NAME: the last answer is an error in Strapi's JSON
# envelope whose status is the HTTP status, served as application/json.
expect_envelope() {
    local ct
    ct=$(header Content-Type)
    if [ "$STATUS" -ge 400 ] 2>/dev/null &&
        printf '%s' "$BODY" | jq -e --argjson st "$STATUS" \
            '.data == null and .error.status == $st and (.error.name|type) == "string" and (.error.message|type) == "string" and (.error.details|type) == "object"' >/dev/null 2>&1 &&
        grep -qi '^application/json' <<<"$ct"; then
        t_ok "$1 ($STATUS)"
    else
        t_fail "$1" "status $STATUS, Content-Type \"$ct\", body: ${BODY:0:200}"
    fi
}

# raw_req REQUEST-HEAD: send these bytes (printf format) as they are and
# read the answer (ask with HTTP/1.0: no chunked answer); sets STATUS, BODY
# and $T_RUN/hdrs like req.
raw_req() {
    local out=$T_RUN/raw.out
    # shellcheck disable=SC2059
    { printf "$1"; } 2>/dev/null | curl -s --max-time 10 "telnet://127.0.0.1:$HTTP_PORT" >"$out" 2>/dev/null
    STATUS=$(head -n 1 "$out" | tr -d '\r' | awk '{print $2}')
    [ -n "$STATUS" ] || STATUS=000
    awk 'NR > 1 { sub(/\r$/, ""); if ($0 == "") exit; print }' "$out" >"$T_RUN/hdrs"
    BODY=$(awk 'f { print } /^\r?$/ { f = 1 }' "$out")
}

# long_query BYTES: a qs-built Strapi filter of at least BYTES bytes, as
# @strapi/client sends it: an $or of $in lists of many short values.
long_query() {
    local q="" i=0 f
    while [ ${#q} -lt "$1" ]; do
        f=title
        [ $(( (i / 60) % 2 )) = 1 ] && f=slug
        q="$q&filters[\$or][$((i / 60))][$f][\$in][$((i % 60))]=v$i"
        i=$((i + 1))
    done
    printf '%s' "${q#&}"
}

# server_errors NAME: what the web server answers itself for a request
# under /api is Strapi's JSON error envelope, and a long qs-built filter
# (12,000 bytes, within the 16 KiB request head Strapi accepts) works.
server_errors() {
    local s=$1 big
    req GET "/api/articles?$(long_query 12000)"
    expect_status "$s: a 12,000-byte qs-built filter is served" 200
    expect_json "$s: ... and answers a Strapi list" '(.data|type) == "array" and .meta.pagination.page == 1'
    req GET "/api/articles?$(long_query 20000)"
    expect_envelope "$s: a request line over 16 KiB is answered in the JSON envelope"
    check "$s: ... with 414 or 431 ($STATUS)" grep -qE '^(414|431)$' <<<"$STATUS"
    req GET /api/health -H "X-Filler: $(head -c 20000 /dev/zero | tr '\0' a)"
    expect_envelope "$s: a header over 16 KiB is answered in the JSON envelope"
    raw_req 'GET /api/\001x HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n'
    expect_envelope "$s: a control character in the target is answered in the JSON envelope"
    raw_req 'GET /api/health HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Bad: a\001b\r\n\r\n'
    check "$s: a control character in a header is refused or ignored, never HTML ($STATUS)" \
        bash -c '[ "$0" = 200 ] || printf "%s" "$1" | jq -e ".error.status == ($0|tonumber)" >/dev/null' "$STATUS" "$BODY"
    req POST /api/articles -H 'Content-Type: application/json'
    expect_envelope "$s: a POST without a body or a length is answered in the JSON envelope"
    big=$T_RUN/server-big.json
    [ -s "$big" ] || head -c 3145728 /dev/zero | tr '\0' 'a' >"$big"
    req POST /api/articles -H "Authorization: Bearer ${SMOKE_JWT:-}" -H 'Content-Type: application/json' \
        --data-binary "@$big"
    expect_envelope "$s: a 3 MiB body (over the server's own cap) is answered in the JSON envelope"
    # mod_fcgid reports a body over LimitRequestBody as 400.
    check "$s: ... with ${BIG_BODY_STATUS:-413} ($STATUS)" grep -qE "^(${BIG_BODY_STATUS:-413})\$" <<<"$STATUS"
}

# private_secrets NAME DIR: no file under DIR that anyone but its owner may
# read holds a secret of this run (JWT_SECRET, WORKOS_COOKIE_PASSWORD,
# WORKOS_WEBHOOK_SECRET).
private_secrets() {
    local bad="" f v
    while IFS= read -r f; do
        for v in JWT_SECRET WORKOS_COOKIE_PASSWORD WORKOS_WEBHOOK_SECRET; do
            if [ -n "${!v:-}" ] && grep -qF -- "${!v}" "$f" 2>/dev/null; then
                bad="$bad ${f#"$2"/}($v, mode $(stat -c %a "$f"))"
                break
            fi
        done
    done < <(find "$2" -type f -perm /044 2>/dev/null)
    if [ -z "$bad" ]; then t_ok "$1"; else t_fail "$1" "readable by others:$bad"; fi
}

# psql_q SQL: run SQL against the test database, print the result unaligned.
psql_q() {
    psql -X -q -A -t -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "$1"
}

# as WHO METHOD PATH [JSON]: req as the bearer of the JWT WHO ("anon": no
# Authorization header), with JSON as the body when given.
as() {
    local who=$1 m=$2 p=$3 body=${4:-}
    local h=()
    [ "$who" != anon ] && h=(-H "Authorization: Bearer $who")
    if [ -n "$body" ]; then
        req "$m" "$p" "${h[@]}" -H 'Content-Type: application/json' --data-binary "$body"
    else
        req "$m" "$p" "${h[@]}"
    fi
}
# titles: the sorted titles of the last answer's entries, comma-separated.
titles() { jq -r '[.data[].title] | sort | join(",")' <<<"$BODY"; }

# _hold SQL CONDITION: run SQL (a transaction holding a lock) from psql in
# the background, setting HELD_PID; true once pg_locks has a granted lock
# where CONDITION, false when none appeared within 10 s.
_hold() {
    psql -X -q "$DATABASE_URL" -c "$1" >/dev/null 2>&1 &
    HELD_PID=$!
    for _ in $(seq 1 200); do
        [ "$(psql_q "SELECT count(*) FROM pg_locks WHERE granted AND $2")" -ge 1 ] && return 0
        sleep 0.05
    done
    return 1
}

# _waited CONDITION: true once a session waits for a lock where CONDITION
# (within 5 s).
_waited() {
    for _ in $(seq 1 100); do
        [ "$(psql_q "SELECT count(*) FROM pg_locks WHERE NOT granted AND $1")" -ge 1 ] && return 0
        sleep 0.05
    done
    return 1
}

# hold_lock TABLE SECONDS: an ACCESS EXCLUSIVE lock on TABLE, held from psql
# in the background for SECONDS; sets lock_pid.  False when it was not held
# within 10 s.
hold_lock() {
    local rc=0
    _hold "BEGIN; LOCK TABLE $1 IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($2); COMMIT;" \
        "relation = '$1'::regclass AND mode = 'AccessExclusiveLock'" || rc=1
    lock_pid=$HELD_PID
    return $rc
}

# lock_waited TABLE: true once a session waits for a lock on TABLE (within 5 s).
lock_waited() { _waited "relation = '$1'::regclass"; }

# hold_turn SPACE KEY SECONDS: hold the transaction-level advisory lock
# (SPACE, hashtext(KEY)), as the suite's writers take a name's turn, from
# psql in the background for SECONDS; sets TURN_PID.  False when it was not
# held within 10 s.
hold_turn() {
    local rc=0
    _hold "BEGIN; SELECT pg_advisory_xact_lock($1, hashtext('$2')); SELECT pg_sleep($3); COMMIT;" \
        "locktype = 'advisory' AND classid = $1" || rc=1
    TURN_PID=$HELD_PID
    return $rc
}

# turn_waited SPACE: true once a session waits for an advisory lock of
# SPACE (within 5 s).
turn_waited() { _waited "locktype = 'advisory' AND classid = $1"; }

# cgi VAR=value...: run content.fcgi once as a CGI program; output in $T_RUN/cgi.out.
cgi() {
    env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" JWT_SECRET="$JWT_SECRET" \
        ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
        "$@" "$BIN_DIR/cgi-bin/content.fcgi" <"${CGI_STDIN:-/dev/null}" >"$T_RUN/cgi.out" 2>"$T_RUN/cgi.err"
}

# mkuser EMAIL [ROLE-SQL-EXTRA]: insert a confirmed user, print its id.
# Its username is the e-mail's local part, or the whole e-mail when that
# is taken (usernames are unique).
mkuser() {
    local did
    did=$(printf 'u%s' "$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n' | tr '0-9a-f' 'a-p' | cut -c1-23)")
    psql_q "INSERT INTO users (document_id, username, email, provider, confirmed, role_id)
            SELECT '$did', CASE WHEN EXISTS (SELECT 1 FROM users WHERE username = split_part('$1', '@', 1))
                THEN lower('$1') ELSE split_part('$1', '@', 1) END, lower('$1'), 'workos', true, id
            FROM roles WHERE type = 'authenticated' RETURNING id"
}

# token ARGS...: a JWT from bin/token (see its --help).
token() {
    DATABASE_URL="$DATABASE_URL" JWT_SECRET="$JWT_SECRET" "$BIN_DIR/bin/token" "$@"
}

# lighttpd_start: serve BIN_DIR's programs on HTTP_PORT, with this suite's env.
lighttpd_start() {
    local try
    for try in 1 2 3; do
        _lighttpd_start_once && return 0
    done
    return 1
}

_lighttpd_start_once() {
    HTTP_PORT=$(free_port)
    export WORKOS_REDIRECT_URI="http://127.0.0.1:$HTTP_PORT/api/auth/workos/callback"
    mkdir -p "$T_RUN/www"
    # The configuration holds the secrets: readable by its owner only.
    (umask 077; PORT=$HTTP_PORT RUN_DIR="$T_RUN" BIN_DIR="$BIN_DIR" \
        PASS_ENV="${PASS_ENV:-} ${ASAN_OPTIONS:+ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS}" \
        bash "$ROOT/tools/lighttpd-conf.sh" >"$T_RUN/lighttpd.conf") || return 1
    lighttpd -D -f "$T_RUN/lighttpd.conf" 2>>"$T_RUN/lighttpd.stderr" &
    LIGHTTPD_PID=$!
    echo "$LIGHTTPD_PID" >>"$T_PIDS"
    # Up to 30 s (a loaded machine); one that never answers is stopped, so
    # that a retry starts alone.
    for _ in $(seq 1 600); do
        curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && return 0
        kill -0 "$LIGHTTPD_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill "$LIGHTTPD_PID" 2>/dev/null && wait "$LIGHTTPD_PID" 2>/dev/null
    echo "lighttpd did not start:" >&2
    cat "$T_RUN/lighttpd.stderr" "$T_RUN/error.log" >&2 2>/dev/null
    return 1
}

# backend_pids: the FastCGI processes lighttpd spawned.
backend_pids() {
    [ -n "${LIGHTTPD_PID:-}" ] && pgrep -P "$LIGHTTPD_PID" 2>/dev/null
}

# lighttpd_stop: stop lighttpd and wait for its programs to exit.
lighttpd_stop() {
    [ -n "${LIGHTTPD_PID:-}" ] || return 0
    local kids
    kids=$(backend_pids)
    kill -TERM "$LIGHTTPD_PID" 2>/dev/null
    for _ in $(seq 1 100); do
        kill -0 "$LIGHTTPD_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$LIGHTTPD_PID" 2>/dev/null
    wait "$LIGHTTPD_PID" 2>/dev/null
    # lighttpd sends its programs SIGTERM; give LeakSanitizer time to report.
    for pid in $kids; do
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -KILL "$pid" 2>/dev/null
    done
    LIGHTTPD_PID=
}

# fake METHOD PATH [JSON]: call the fake WorkOS's control API; prints the body.
fake() {
    curl -gsS -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$FAKE_URL$2"
}

# fake_stat NAME: how many requests of a kind the fake WorkOS received.
fake_stat() {
    fake GET /_fake/stats | jq -r ".$1"
}

# b64url_json TEXT: decode one base64url JWT part (no padding) to stdout.
b64url_json() {
    local s=$1
    s=$(printf '%s' "$s" | tr '_-' '/+')
    while [ $(( ${#s} % 4 )) != 0 ]; do s="$s="; done
    printf '%s' "$s" | base64 -d 2>/dev/null
}

# explain_url [OPTIONS]: DATABASE_URL with auto_explain on, its plans
# (JSON, with the rows each node read) sent to the client as notices, which
# libpq prints on the program's stderr; OPTIONS (e.g. "-c name=value") are
# added to the session's.  For asserting how much a statement reads rather
# than how long it takes.
explain_url() {
    local o='-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_analyze=on -c auto_explain.log_timing=off -c auto_explain.log_format=json -c auto_explain.log_level=notice'
    o="$o${1:+ $1}"
    printf '%s?options=%s' "$DATABASE_URL" "$(printf '%s' "$o" | jq -sRr @uri)"
}

# plans FILE: the JSON plans auto_explain printed into FILE, one per line.
plans() {
    awk '/^\{/ { doc = ""; on = 1 } on { doc = doc $0 "\n" } /^\}/ && on { printf "%s", doc; on = 0 }' "$1" | jq -c .
}

# rows_read TABLE FILE: an upper bound of the rows every plan in FILE read
# from TABLE (per-loop averages are rounded, so each loop counts one more).
rows_read() {
    plans "$2" | jq -s --arg t "$1" '[.[] | .. | objects
        | select(."Relation Name"? == $t and ((."Node Type" // "") | test("Scan")))
        | ((."Actual Rows" + 1 + (."Rows Removed by Filter" // 0)) * ."Actual Loops")] | add // 0'
}

# seq_scans TABLE FILE: how many sequential scans of TABLE the plans in FILE made.
seq_scans() {
    plans "$2" | jq -s --arg t "$1" '[.[] | .. | objects
        | select(."Relation Name"? == $t and ."Node Type"? == "Seq Scan")] | length'
}

# npm_ci_once DIR PACKAGE: make DIR/node_modules match DIR's package-lock.json
# (npm ci) unless PACKAGE is installed and no older than the lock file.
# One npm ci at a time per directory (the plain and sanitizer passes, or two
# test runs): a lock directory that names its holder, so a holder that died
# does not block the next run.  Output in $T_RUN/npm-ci.log; status 1 when
# npm ci failed.
npm_ci_once() {
    local dir=$1 pkg=$2 lock got_lock= holder ok=0
    _npm_ci_needed() {
        [ -f "$dir/node_modules/$pkg/package.json" ] || return 0
        [ -f "$dir/node_modules/.package-lock.json" ] || return 0
        [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]
    }
    _npm_ci_needed || return 0
    lock=${TMPDIR:-/tmp}/npm-ci.$(printf '%s' "$dir" | cksum | cut -d' ' -f1).lock
    for _ in $(seq 1 600); do
        if mkdir "$lock" 2>/dev/null; then
            echo "$BASHPID" >"$lock/pid"
            got_lock=1
            break
        fi
        holder=$(cat "$lock/pid" 2>/dev/null)
        if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
            rm -rf "$lock"
            continue
        fi
        sleep 0.5
    done
    [ -n "$got_lock" ] || echo "# waited 300 s for $lock; installing anyway" >&2
    # Someone else may have installed while we waited.
    if _npm_ci_needed; then
        npm ci --prefix "$dir" --no-audit --no-fund >"$T_RUN/npm-ci.log" 2>&1 || ok=1
    fi
    [ -n "$got_lock" ] && rm -rf "$lock"
    return $ok
}
