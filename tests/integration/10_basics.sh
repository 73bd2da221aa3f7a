# Health, routing and the error envelope, through lighttpd.

req GET /api/health
expect_status "health answers 200 when Postgres is up" 200
expect_json "health body says the database is up" '. == {"status":"ok","database":"up","workosSync":null}'
check "health is not cached" test "$(header Cache-Control)" = no-store

req GET /api/nothing
expect_error "unknown path under /api is 404 NotFoundError" 404 NotFoundError "Not Found"
check "errors are JSON" grep -q '^application/json' <<<"$(header Content-Type)"

req GET /apix
expect_error "a path that only shares the prefix is 404" 404 NotFoundError

req GET /api/users/me/extra
expect_error "extra path segments are 404" 404 NotFoundError

req POST /api/users/me -H 'Content-Type: application/json' --data '{}'
expect_error "wrong method is 405 in the envelope" 405 MethodNotAllowedError "Method Not Allowed"
check "405 names the allowed methods" grep -q 'GET' <<<"$(header Allow)"

req DELETE /api/health
expect_status "DELETE on health is 405" 405

req OPTIONS /api/health
expect_status "OPTIONS answers 204" 204
check "OPTIONS lists the methods" grep -q 'GET, OPTIONS\|GET.*OPTIONS' <<<"$(header Allow)"

req OPTIONS /api/users/me -H 'Origin: https://app.example' -H 'Access-Control-Request-Method: GET' \
    -H 'Access-Control-Request-Headers: authorization'
expect_status "a CORS preflight answers 204" 204
check "the preflight allows any origin" test "$(header Access-Control-Allow-Origin)" = '*'
check "the preflight allows the Authorization header" grep -q Authorization <<<"$(header Access-Control-Allow-Headers)"
check "the preflight lists the route's methods" grep -q GET <<<"$(header Access-Control-Allow-Methods)"
req GET /api/health -H 'Origin: https://app.example'
check "a cross-origin answer may be read by the page" test "$(header Access-Control-Allow-Origin)" = '*'
req GET /api/health
check "no CORS header without an Origin" test -z "$(header Access-Control-Allow-Origin)"

req HEAD /api/health
expect_status "HEAD is served like GET" 200

req GET /api/health/
expect_status "a trailing slash names the same route" 200

req GET '/api/health?x=%zz&[=]'
expect_status "a query string on a route that takes none is ignored" 200


# The same executable as a plain CGI program (no FastCGI socket).
cgi REQUEST_METHOD=GET REQUEST_URI=/api/health REMOTE_ADDR=127.0.0.1
check "CGI mode answers with a Status line" grep -q '^Status: 200 OK' "$T_RUN/cgi.out"
check "CGI mode answers the health body" grep -q '"database":"up"' "$T_RUN/cgi.out"

cgi REQUEST_METHOD=HEAD REQUEST_URI=/api/health
check "HEAD sends the headers and no body" test "$(sed -n '/^\r$/,$p' "$T_RUN/cgi.out" | tail -n +2 | wc -c)" = 0

cgi REQUEST_METHOD=GET SCRIPT_NAME=/api PATH_INFO=/health
check "CGI without REQUEST_URI routes on SCRIPT_NAME + PATH_INFO" grep -q '^Status: 200' "$T_RUN/cgi.out"

cgi REQUEST_METHOD=GET REQUEST_URI=/api/nowhere
check "CGI unknown path is 404" grep -q '^Status: 404' "$T_RUN/cgi.out"

# GSSAPI encryption is off unless asked for, and asking is honoured: this
# Postgres offers none, so requiring it leaves the program without a
# database, which it says.
# KRB5_TRACE names a file the Kerberos library opens once it is set up:
# by default a connection never sets it up; asked to prefer GSSAPI, it does.
cgi REQUEST_METHOD=GET REQUEST_URI=/api/health KRB5_TRACE="$T_RUN/krb5-default.trace"
check "by default the database connection does not need GSSAPI" grep -q '^Status: 200' "$T_RUN/cgi.out"
check "... nor set up Kerberos to look for it" test ! -e "$T_RUN/krb5-default.trace"
cgi REQUEST_METHOD=GET REQUEST_URI=/api/health KRB5_TRACE="$T_RUN/krb5-prefer.trace" PGGSSENCMODE=prefer
check "PGGSSENCMODE=prefer looks for a Kerberos credential (and connects without one)" \
    bash -c "grep -q '^Status: 200' '$T_RUN/cgi.out' && test -e '$T_RUN/krb5-prefer.trace'"
cgi REQUEST_METHOD=GET REQUEST_URI=/api/health DATABASE_URL="$DATABASE_URL?gssencmode=require"
check "gssencmode in DATABASE_URL is honoured (503 without GSSAPI)" grep -q '^Status: 503' "$T_RUN/cgi.out"
check "and the log says why" grep -qi 'GSSAPI' "$T_RUN/cgi.err"
cgi REQUEST_METHOD=GET REQUEST_URI=/api/health PGGSSENCMODE=require
check "PGGSSENCMODE is honoured (503 without GSSAPI)" grep -q '^Status: 503' "$T_RUN/cgi.out"
# A service file's gssencmode: libpq reads it only for what no keyword
# sets, so the suite's default must not be one then.
printf '[gss]\nhost=127.0.0.1\nport=%s\nuser=postgres\ndbname=%s\ngssencmode=require\n[plain]\nhost=127.0.0.1\nport=%s\nuser=postgres\ndbname=%s\n' \
    "$PG_PORT" "${DATABASE_URL##*/}" "$PG_PORT" "${DATABASE_URL##*/}" >"$T_RUN/pg_service.conf"
cgi REQUEST_METHOD=GET REQUEST_URI=/api/health DATABASE_URL="service=gss" PGSERVICEFILE="$T_RUN/pg_service.conf"
check "a service's gssencmode is honoured (503 without GSSAPI)" grep -q '^Status: 503' "$T_RUN/cgi.out"
cgi REQUEST_METHOD=GET REQUEST_URI=/api/health DATABASE_URL="service=plain" PGSERVICEFILE="$T_RUN/pg_service.conf"
check "a service without gssencmode connects" grep -q '^Status: 200' "$T_RUN/cgi.out"

# Start-up configuration: each bad variable is named, and nothing is served.
startup() { # expect-substring VAR=value...
    local want=$1; shift
    env -i PATH="$PATH" REQUEST_METHOD=GET REQUEST_URI=/api/health \
        ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
        "$@" "$BIN_DIR/cgi-bin/content.fcgi" </dev/null >"$T_RUN/start.out" 2>"$T_RUN/start.err"
    local rc=$?
    if [ $rc != 0 ] && grep -q "$want" "$T_RUN/start.err" && [ ! -s "$T_RUN/start.out" ] &&
       [ "$(wc -l <"$T_RUN/start.err")" = 1 ]; then
        t_ok "start-up refuses: $want"
    else
        t_fail "start-up refuses: $want" "rc=$rc out=$(head -c 200 "$T_RUN/start.out") err=$(head -c 300 "$T_RUN/start.err")"
    fi
}
startup "DATABASE_URL: is required" JWT_SECRET="$JWT_SECRET"
startup "JWT_SECRET: is required" DATABASE_URL="$DATABASE_URL"
startup "JWT_SECRET: must be between 32" DATABASE_URL="$DATABASE_URL" JWT_SECRET=short-secret-value
startup "JWT_EXPIRES_IN: must be a duration" DATABASE_URL="$DATABASE_URL" JWT_SECRET="$JWT_SECRET" JWT_EXPIRES_IN=forever
startup "DATABASE_URL: must be a libpq" DATABASE_URL="host='unterminated" JWT_SECRET="$JWT_SECRET"
env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" JWT_SECRET=short-secret-value \
    "$BIN_DIR/cgi-bin/content.fcgi" </dev/null >/dev/null 2>"$T_RUN/start.err"
check "a refused secret is never printed" bash -c "! grep -q short-secret-value '$T_RUN/start.err'"

"$BIN_DIR/cgi-bin/content.fcgi" --help >"$T_RUN/help.out" 2>&1
check "--help explains the program" grep -q 'FastCGI' "$T_RUN/help.out"

# Postgres goes away and comes back: 503, then recovery in the same process.
req GET /api/health
pids_before=$(backend_pids | sort | tr '\n' ' ')
pg_stop "$T_BASE/pg"
req GET /api/health
expect_error "health is 503 when Postgres is down" 503 ServiceUnavailableError "Database unavailable"
req GET /api/users/me -H "Authorization: Bearer $(token --id 1)"
expect_error "an authenticated route is 503 when Postgres is down" 503 ServiceUnavailableError
pg_start "$T_BASE/pg" "$PG_PORT"
req GET /api/health
expect_status "health recovers once Postgres is back" 200
check "recovery needed no process restart" test "$pids_before" = "$(backend_pids | sort | tr '\n' ' ')"
