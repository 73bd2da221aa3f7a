# The suite under every FastCGI server it ships a configuration for, each
# started for real on a loopback port, one after another, from the files
# in apache-conf/:
#
#   lighttpd       mod_fastcgi with bin-path (the one run.sh started)
#   apache-fcgid   Apache 2.4 + mod_fcgid (apache-mod_fcgid.conf, env via
#                  fcgid-env.sh); Apache spawns the programs as www-data
#   apache-proxy   Apache 2.4 + mod_proxy_fcgi (apache-mod_proxy_fcgi.conf)
#                  to spawn-fcgi pools on Unix sockets (spawn-fcgi.sh)
#   nginx          nginx (nginx.conf) to spawn-fcgi + multiwatch pools on
#                  Unix sockets, started with the ExecStart line of
#                  systemd/workos-strapi-c@.service as systemd would
#
# Each gets the same smoke suite (tests/smoke.sh), then the cases where
# servers differ: chunked bodies and bodies without a length, a client
# that leaves mid-request, SIGTERM with requests in flight and queued and
# the respawn or restart after it, the programs' stderr in the server's
# error log with no secret in any log, HTTPS detection, and what the server
# answers itself (long heads, malformed requests, big bodies, a pool too
# slow or gone): Strapi's JSON error envelope, never an HTML page.
#
# The servers' workers run as www-data or nobody, who may not be able to
# enter the checkout (a clone under /root, or any 0700 directory): they
# run the build under test installed (make install) into this suite's
# scratch directory, which they can reach.

. "$ROOT/tests/smoke.sh"

SRV=$T_RUN/srv
mkdir -p "$SRV"
chmod 755 "$SRV"
LIGHTTPD_PORT=$HTTP_PORT
fake POST /_fake/reset >/dev/null
printf '{"data":{"title":"Chunked body","content":"sent in chunks"}}' >"$T_RUN/small.json"

# The build under test, installed where the servers' users can reach it.
INST=$SRV/inst
if make -s -C "$ROOT" install DESTDIR="$INST" PREFIX=/usr BINDIR_SRC="$BIN_DIR" >"$SRV/install.log" 2>&1; then
    t_ok "the build under test installs into the scratch directory"
else
    t_fail "the build under test installs into the scratch directory" "$(tail -n 20 "$SRV/install.log")"
fi
LIB=$INST/usr/lib/workos-strapi-c
SHARE=$INST/usr/share/workos-strapi-c
check "www-data can run the installed programs, wherever the checkout is" \
    runuser -u www-data -- test -x "$LIB/cgi-bin/content.fcgi" -a -r "$SHARE/errors/502.json"
check "nobody can run the installed programs, wherever the checkout is" \
    runuser -u nobody -- test -x "$LIB/cgi-bin/content.fcgi"
# The programs this build has, in route-table order.
PROGS=""
for p in login callback session webhook content; do
    [ -x "$LIB/cgi-bin/$p.fcgi" ] && PROGS="$PROGS $p"
done

for tool in apache2 nginx spawn-fcgi multiwatch; do
    check "$tool is installed (tools/deps.sh)" command -v "$tool"
done

# desc_pids ROOT PATTERN: ROOT's descendants whose command line has PATTERN.
desc_pids() {
    ps -eo pid=,ppid=,args= | awk -v root="$1" -v pat="$2" '
        { p[NR] = $1; pp[NR] = $2; $1 = ""; $2 = ""; a[NR] = $0 }
        END {
            keep[root] = 1
            for (more = 1; more; ) {
                more = 0
                for (i = 1; i <= NR; i++)
                    if (!(p[i] in keep) && (pp[i] in keep)) { keep[p[i]] = 1; more = 1 }
            }
            for (i = 1; i <= NR; i++)
                if (p[i] != root && (p[i] in keep) && index(a[i], pat)) print p[i]
        }'
}

# reload_server NAME PID LOG: SIGHUP the server PID, and wait (up to 30 s)
# until the new configuration serves: Apache has logged one more restart
# ("resuming normal operations") in LOG; nginx's workers are all new.
reload_server() {
    local n=$1 pid=$2 log=$3 before old _
    before=$(grep -c 'resuming normal operations' "$log" 2>/dev/null)
    old=$(ps -o pid= --ppid "$pid" | tr '\n' ' ')
    kill -HUP "$pid"
    for _ in $(seq 1 300); do
        case $n in
        apache*) [ "$(grep -c 'resuming normal operations' "$log" 2>/dev/null)" -gt "${before:-0}" ] && return 0 ;;
        nginx) [ -z "$(alive $old)" ] && return 0 ;;
        esac
        sleep 0.1
    done
    return 1
}

alive() { # PID...: those still running
    local p
    for p; do kill -0 "$p" 2>/dev/null && echo "$p"; done
    return 0
}

# wait_gone SECONDS PID...: true when every PID has exited in time.
wait_gone() {
    local t=$(( $1 * 10 )); shift
    while [ -n "$(alive "$@")" ] && [ $t -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
    [ -z "$(alive "$@")" ]
}

# wait_http PORT PID: until something answers on PORT (false if PID dies).
wait_http() {
    for _ in $(seq 1 200); do
        curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# stop_pids PID...: SIGTERM, time to exit (LeakSanitizer reports then), SIGKILL.
stop_pids() {
    [ $# -gt 0 ] || return 0
    kill -TERM "$@" 2>/dev/null
    wait_gone 10 "$@" || kill -KILL $(alive "$@") 2>/dev/null
    return 0
}

# write_env FILE PORT SAN-DIR [NAME=value...]: the programs' environment
# file, as an operator writes /etc/workos-strapi-c/env (see env.example).
write_env() {
    local f=$1 port=$2 san=$3 kv
    shift 3
    {
        echo "# $SRV_NAME test configuration (tests/integration/60_servers.sh)"
        echo "DATABASE_URL=$DATABASE_URL"
        echo "JWT_SECRET=$JWT_SECRET"
        echo "WORKOS_API_KEY=$WORKOS_API_KEY"
        echo "WORKOS_CLIENT_ID=$WORKOS_CLIENT_ID"
        echo "WORKOS_REDIRECT_URI=http://127.0.0.1:$port/api/auth/workos/callback"
        echo "WORKOS_COOKIE_PASSWORD=$WORKOS_COOKIE_PASSWORD"
        echo "WORKOS_WEBHOOK_SECRET=$WORKOS_WEBHOOK_SECRET"
        echo "WORKOS_API_BASE=$WORKOS_API_BASE"
        echo "WORKOS_TIMEOUT=$WORKOS_TIMEOUT"
        if [ -n "${ASAN_OPTIONS:-}" ]; then
            echo "ASAN_OPTIONS=log_path=$san/asan:detect_leaks=1:abort_on_error=0"
            echo "UBSAN_OPTIONS=log_path=$san/ubsan:print_stacktrace=1:halt_on_error=1"
        fi
        for kv; do echo "$kv"; done
    } >"$f"
    chmod 600 "$f"
}

# new_srv NAME: a directory for one server, reachable by www-data and by
# the pools' user, with a sanitizer-log directory any of them may write.
new_srv() {
    SRV_NAME=$1
    D=$SRV/$1
    mkdir -p "$D/run" "$D/log" "$D/s" "$D/tmp"
    chmod 755 "$D" "$D/run" "$D/log" "$D/tmp"
    chmod 1777 "$D/s"
    PORT=$(free_port)
}

# collect_san NAME: sanitizer reports of a server's programs into $T_RUN,
# where run.sh looks for them (asan.*, ubsan.*).
collect_san() {
    local f b
    for f in "$SRV/$1"/s/asan.* "$SRV/$1"/s/ubsan.*; do
        [ -e "$f" ] || continue
        b=${f##*/}
        cp "$f" "$T_RUN/${b%%.*}.$1-${b#*.}"
    done
}

# signin_start JAR: login and the fake WorkOS for the lifecycle user; sets CB_PATH.
fake POST /_fake/users '{"id":"user_01LIFECYCLE","email":"lifecycle@example.com","first_name":"Life"}' >/dev/null
signin_start() {
    local loc cb
    loc=$(curl -gsS --max-time 10 -o /dev/null -c "$1" -w '%{redirect_url}' \
        "http://127.0.0.1:$HTTP_PORT/api/auth/workos/login?login_hint=lifecycle%40example.com")
    cb=$(curl -gsS --max-time 10 -o /dev/null -w '%{redirect_url}' "$loc")
    CB_PATH=${cb#http://127.0.0.1:"$HTTP_PORT"}
}

# Server drivers, set for each server below:
#   srv_pids PROG       the PIDs of PROG's processes under this server
#   srv_restart PROG    restart PROG's pool (what systemd would do)
#   SRV_RESPAWNS        1 when the server restarts a dead program itself
#   SRV_LOGS            the files the programs' stderr may land in, the
#                       server's error log first

# lifecycle NAME: the cases where servers differ.
lifecycle() {
    local s=$1 st t0 t1 before after victims i jar auth0 pid p
    local auth=(-H "Authorization: Bearer $SMOKE_JWT") json=(-H 'Content-Type: application/json')
    local url=http://127.0.0.1:$HTTP_PORT

    # --- the sanitizer build's options reach the programs through this
    # server's way of passing the environment
    if [ -n "${ASAN_OPTIONS:-}" ]; then
        pid=$(srv_pids content | head -n 1)
        check "$s: ASAN_OPTIONS reaches the programs" \
            grep -qa '^ASAN_OPTIONS=log_path=' <(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null)
    fi

    # --- bodies without a Content-Length: read correctly or 411, never a hang
    st=$(curl -gsS --max-time 10 -o "$T_RUN/lc.body" -w '%{http_code}' -X POST "${auth[@]}" "${json[@]}" \
        -H 'Transfer-Encoding: chunked' --data-binary "@$T_RUN/small.json" "$url/api/articles" 2>/dev/null)
    case $st in
    201) if jq -e '.data.title == "Chunked body" and .data.content == "sent in chunks"' "$T_RUN/lc.body" >/dev/null 2>&1
         then t_ok "$s: a chunked body is read correctly (201)"
         else t_fail "$s: a chunked body is read correctly (201)" "body: $(head -c 300 "$T_RUN/lc.body")"; fi ;;
    411) t_ok "$s: a chunked body is refused with 411" ;;
    *) t_fail "$s: a chunked body is read (201) or refused (411) without hanging" "status $st: $(head -c 300 "$T_RUN/lc.body")" ;;
    esac
    st=$(curl -gsS --max-time 10 -o "$T_RUN/lc.body" -w '%{http_code}' -X POST "${auth[@]}" "${json[@]}" \
        -H 'Transfer-Encoding: chunked' --data-binary "@$(smoke_big)" "$url/api/articles" 2>/dev/null)
    case $st in
    413) BODY=$(cat "$T_RUN/lc.body"); STATUS=$st
         expect_error "$s: a chunked 1.1 MiB body is the suite's 413" 413 PayloadTooLargeError ;;
    411) t_ok "$s: a chunked 1.1 MiB body is refused with 411" ;;
    *) t_fail "$s: a chunked 1.1 MiB body is 413 (or 411) without hanging" "status $st: $(head -c 300 "$T_RUN/lc.body")" ;;
    esac
    st=$(curl -gsS --max-time 10 -o "$T_RUN/lc.body" -w '%{http_code}' -X POST "${auth[@]}" "${json[@]}" \
        "$url/api/articles" 2>/dev/null)
    case $st in
    400 | 411) t_ok "$s: a POST with no body and no length is answered ($st), not hung" ;;
    *) t_fail "$s: a POST with no body and no length is 400 or 411, not hung" "status $st: $(head -c 300 "$T_RUN/lc.body")" ;;
    esac

    # --- a client that leaves in the middle of its body
    before=$(srv_pids content | sort -n | tr '\n' ' ')
    (
        exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT" || exit 0
        printf 'POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 400000\r\n\r\n{"data":{"title":"' "$SMOKE_JWT" >&3
        head -c 150000 /dev/zero | tr '\0' 'x' >&3
        sleep 0.3
        exec 3>&-
    ) 2>/dev/null
    (
        # The same with a chunked body, which mod_proxy_fcgi streams.
        exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT" || exit 0
        printf 'POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' "$SMOKE_JWT" >&3
        printf '8000\r\n{"data":{"title":"' >&3
        head -c 32749 /dev/zero | tr '\0' 'x' >&3
        printf '\r\n8000\r\nxxxx' >&3
        sleep 0.3
        exec 3>&-
    ) 2>/dev/null
    sleep 0.5
    req GET /api/health
    expect_status "$s: after clients left mid-body, the next request is served" 200
    req POST /api/articles "${auth[@]}" "${json[@]}" --data '{"data":{"title":"After a half body"}}'
    expect_status "$s: after clients left mid-body, a POST is read in full" 201
    after=$(alive $before | sort -n | tr '\n' ' ')
    check "$s: clients leaving mid-body (length and chunked) kill no program (was: $before)" test "$before" = "$after"

    # --- a client that leaves while the program works (slow WorkOS)
    fake POST /_fake/faults '{"endpoint":"authenticate","kind":"delay","ms":1500}' >/dev/null
    jar=$T_RUN/lc-$s.jar
    signin_start "$jar.1"
    before=$(srv_pids callback | sort -n | tr '\n' ' ')
    curl -gsS --max-time 0.5 -o /dev/null -b "$jar.1" "$url$CB_PATH" 2>/dev/null
    sleep 2
    signin_start "$jar.2"
    req GET "$CB_PATH" -b "$jar.2"
    expect_status "$s: after a client left mid-answer, the next sign-in works" 200
    after=$(alive $before | sort -n | tr '\n' ' ')
    check "$s: a client leaving mid-answer kills no program (was: $before)" test "$before" = "$after"
    fake DELETE /_fake/faults >/dev/null

    # --- WorkOS too slow: the suite's own timeout (WORKOS_TIMEOUT) is the
    # one the client meets, not the server's
    fake POST /_fake/faults '{"endpoint":"authenticate","kind":"delay","ms":5000}' >/dev/null
    signin_start "$jar.slow"
    req GET "$CB_PATH" -b "$jar.slow"
    expect_error "$s: WorkOS slower than WORKOS_TIMEOUT is the suite's 504" 504 GatewayTimeoutError
    fake DELETE /_fake/faults >/dev/null

    # --- SIGTERM while requests are in flight and queued
    for i in 1 2 3; do signin_start "$jar.t$i"; eval "cbt$i=\$CB_PATH"; done
    fake POST /_fake/faults '{"endpoint":"authenticate","kind":"delay","ms":1500,"count":3}' >/dev/null
    auth0=$(fake_stat authenticate)
    t0=$(date +%s)
    for i in 1 2 3; do
        eval "p=\$cbt$i"
        curl -gsS --max-time 60 -o "$T_RUN/lc.term$i" -w '%{http_code}' -b "$jar.t$i" "$url$p" >"$T_RUN/lc.st$i" 2>/dev/null &
        eval "cpid$i=\$!"
    done
    # SIGTERM once a callback is inside its WorkOS call (in flight).
    for _ in $(seq 1 100); do
        [ "$(fake_stat authenticate)" -gt "$auth0" ] && break
        sleep 0.05
    done
    sleep 0.2
    victims=$(srv_pids callback | tr '\n' ' ')
    [ -n "$victims" ] && kill -TERM $victims 2>/dev/null
    wait $cpid1 $cpid2 $cpid3 2>/dev/null
    t1=$(date +%s)
    local sts
    sts=$(cat "$T_RUN"/lc.st1 "$T_RUN"/lc.st2 "$T_RUN"/lc.st3 | tr '\n' ' ')
    check "$s: SIGTERM reached the callback programs ($victims)" test -n "$victims"
    check "$s: with SIGTERM, no request in flight or queued hangs ($((t1 - t0))s)" test $((t1 - t0)) -lt 45
    check "$s: every request is answered: 200 or a clean 5xx ($sts)" \
        bash -c "! grep -qvE '^(200|50[0-9])$' $T_RUN/lc.st1 $T_RUN/lc.st2 $T_RUN/lc.st3"
    for i in 1 2 3; do
        if grep -q '^5' "$T_RUN/lc.st$i"; then
            check "$s: a request cut short by SIGTERM gets its 5xx in the JSON envelope" \
                jq -e --argjson st "$(cat "$T_RUN/lc.st$i")" '.data == null and .error.status == $st' "$T_RUN/lc.term$i"
        fi
    done
    check "$s: the request in flight completes (200) ($sts)" grep -q '^200$' "$T_RUN"/lc.st1 "$T_RUN"/lc.st2 "$T_RUN"/lc.st3
    check "$s: SIGTERM stops the programs" wait_gone 10 $victims
    fake DELETE /_fake/faults >/dev/null
    if [ "$SRV_RESPAWNS" = 1 ]; then
        # The server respawns on its own schedule (lighttpd: a 1 s timer)
        # and meanwhile may refuse: wait for it, up to 30 s.
        for _ in $(seq 1 60); do
            sleep 0.5
            signin_start "$jar.r"
            req GET "$CB_PATH" -b "$jar.r"
            [ "$STATUS" = 200 ] && break
        done
        expect_status "$s: after SIGTERM, the server respawns the program and sign-in works" 200
        check "$s: the respawned programs are new processes" test -n "$(srv_pids callback)" -a -z "$(alive $victims)"
    else
        signin_start "$jar.r"
        req GET "$CB_PATH" -b "$jar.r"
        check "$s: with the pool down, the callback fails cleanly (5xx) ($STATUS)" grep -qE '^5[0-9][0-9]$' <<<"$STATUS"
        expect_envelope "$s: with the pool down, the server's answer is the JSON envelope"
        srv_restart callback
        signin_start "$jar.r2"
        req GET "$CB_PATH" -b "$jar.r2"
        expect_status "$s: after a pool restart, sign-in works again" 200
    fi

    # --- stderr: the programs' lines reach the server's error log, with
    # the request's method and path; no secret reaches any log
    req GET /api/users/me -H "Authorization: Bearer $SMOKE_BAD_TOKEN"
    sleep 0.3
    check "$s: a refused token is logged with method and path in the server's error log" \
        grep -qF '"GET /api/users/me": refused a token' "${SRV_LOGS%% *}"
    local secret what
    for what in JWT_SECRET WORKOS_API_KEY WORKOS_COOKIE_PASSWORD SMOKE_JWT SMOKE_BAD_TOKEN; do
        secret=${!what}
        # shellcheck disable=SC2086
        check "$s: $what appears in no log" bash -c '! grep -qsF -- "$0" "$@"' "$secret" $SRV_LOGS
    done

    # --- HTTPS detection through the server: a client's X-Forwarded-Proto
    # is not believed unless TRUST_PROXY=1
    req GET /api/auth/workos/login -H 'X-Forwarded-Proto: https'
    check "$s: X-Forwarded-Proto from a client does not make the cookie Secure" \
        bash -c '[ -n "$0" ] && ! grep -q Secure <<<"$0"' "$(header Set-Cookie)"
}

# slow_pool NAME: the content programs stop answering (SIGSTOP) and the
# server gives up after its (shortened) timeout; then they die with a
# request in flight.  What the server answers is its own 5xx, in the JSON
# envelope.  Afterwards the pool is back (respawned or restarted).
slow_pool() {
    local s=$1 pids st
    pids=$(srv_pids content | tr '\n' ' ')
    check "$s: the content pool runs ($pids)" test -n "$pids"
    kill -STOP $pids 2>/dev/null
    req GET /api/health
    expect_envelope "$s: a content pool too slow to answer is the server's JSON error"
    check "$s: ... a 5xx ($STATUS)" grep -qE '^5[0-9][0-9]$' <<<"$STATUS"
    curl -gsS --max-time 20 -o "$T_RUN/die.body" -D "$T_RUN/die.hdrs" -w '%{http_code}' \
        "http://127.0.0.1:$HTTP_PORT/api/health" >"$T_RUN/die.st" 2>/dev/null &
    local cpid=$!
    sleep 0.5
    kill -KILL $pids 2>/dev/null
    kill -CONT $pids 2>/dev/null
    wait $cpid
    STATUS=$(cat "$T_RUN/die.st"); BODY=$(cat "$T_RUN/die.body"); cp "$T_RUN/die.hdrs" "$T_RUN/hdrs"
    if [ "$STATUS" = 200 ]; then
        t_ok "$s: a program killed with a request in flight: the request was served again (200)"
    else
        expect_envelope "$s: a program killed with a request in flight is the server's JSON error"
    fi
    if [ "$SRV_RESPAWNS" = 1 ]; then
        for _ in $(seq 1 100); do
            req GET /api/health
            [ "$STATUS" = 200 ] && break
            sleep 0.1
        done
    else
        srv_restart content
        req GET /api/health
    fi
    expect_status "$s: after the pool came back, requests are served" 200
}

# =====================================================================
# lighttpd + mod_fastcgi, bin-path (started by run.sh with tools/lighttpd-conf.sh)
SRV_NAME=lighttpd
srv_pids() { desc_pids "$LIGHTTPD_PID" "cgi-bin/$1.fcgi"; }
srv_restart() { :; }
SRV_RESPAWNS=1
SRV_LOGS="$T_RUN/error.log $T_RUN/lighttpd.stderr"
HTTP_PORT=$LIGHTTPD_PORT
smoke lighttpd
lifecycle lighttpd
# make run's configuration again, with the installed programs and a short
# FastCGI timeout for the slow pool.
lighttpd_stop
BIN_DIR=$LIB FCGI_TIMEOUT=3 lighttpd_start || t_fail "lighttpd restarts with the installed programs"
srv_pids() { desc_pids "$LIGHTTPD_PID" "cgi-bin/$1.fcgi"; }
server_errors lighttpd
slow_pool lighttpd
LIGHTTPD_PORT=$HTTP_PORT

# =====================================================================
# Apache 2.4 + mod_fcgid
new_srv apache-fcgid
FCGID_D=$D
FCGID_PORT=$PORT
mkdir -p "$D/fcgid"
chown www-data "$D/fcgid"
write_env "$D/env" "$PORT" "$D/s"
sh "$ROOT/apache-conf/fcgid-env.sh" "$D/env" "$D/fcgid-env.conf" 2>"$D/fcgid-env.err"
check "apache-fcgid: fcgid-env.sh turns the env file into FcgidInitialEnv lines" \
    grep -q '^FcgidInitialEnv JWT_SECRET "' "$D/fcgid-env.conf"
check "apache-fcgid: the generated file is readable by root only" test "$(stat -c %a "$D/fcgid-env.conf")" = 600
printf 'JWT_SECRET="a\\"b"\n' >"$D/bad.env"
check "apache-fcgid: fcgid-env.sh refuses a value Apache would misread" bash -c "! sh '$ROOT/apache-conf/fcgid-env.sh' '$D/bad.env' >/dev/null 2>&1"
printf 'JWT_SECRET=%0130d\n' 0 >"$D/bad.env"
check "apache-fcgid: fcgid-env.sh refuses a value mod_fcgid would cut short" bash -c "! sh '$ROOT/apache-conf/fcgid-env.sh' '$D/bad.env' >/dev/null 2>&1"
cat >"$D/httpd.conf" <<CONF
# The server part a Debian apache2.conf would give; the suite's part is
# apache-conf/apache-mod_fcgid.conf, included as shipped.
ServerRoot $D
DefaultRuntimeDir $D/run
PidFile $D/run/httpd.pid
Mutex file:$D/run default
Listen 127.0.0.1:$PORT
ServerName 127.0.0.1
User www-data
Group www-data
ErrorLog $D/log/error.log
LogLevel warn
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
TypesConfig /etc/mime.types
LoadModule fcgid_module /usr/lib/apache2/modules/mod_fcgid.so
FcgidIPCDir $D/fcgid
FcgidProcessTableFile $D/fcgid/shm
<VirtualHost 127.0.0.1:$PORT>
    # As the file says: included in the site's VirtualHost, after the
    # paths are defined.
    Define WSC_LIB $LIB
    Define WSC_SHARE $SHARE
    Define WSC_ENV $D/fcgid-env.conf
    Include $ROOT/apache-conf/apache-mod_fcgid.conf
    # What this test changes later (a shorter timeout for the slow pool).
    IncludeOptional $D/later.conf
</VirtualHost>
CONF
check "apache-fcgid: the configuration passes apache2 -t" apache2 -f "$D/httpd.conf" -t
apache2 -f "$D/httpd.conf" -DFOREGROUND >>"$D/log/stderr" 2>&1 &
APACHE_PID=$!
echo "$APACHE_PID" >>"$T_PIDS"
if wait_http "$PORT" "$APACHE_PID"; then
    t_ok "apache-fcgid: Apache starts (workers as www-data)"
    srv_pids() { desc_pids "$APACHE_PID" "cgi-bin/$1.fcgi"; }
    SRV_RESPAWNS=1
    SRV_LOGS="$D/log/error.log $D/log/stderr"
    HTTP_PORT=$PORT
    smoke apache-fcgid
    check "apache-fcgid: the programs run as www-data" \
        test "$(ps -o user= -p "$(srv_pids content | head -n 1)" 2>/dev/null)" = www-data
    lifecycle apache-fcgid
    BIG_BODY_STATUS='413|400' server_errors apache-fcgid
    echo "FcgidIOTimeout 3" >"$D/later.conf"
    check "apache-fcgid: a restart takes the new timeout" reload_server apache-fcgid "$APACHE_PID" "$D/log/error.log"
    wait_http "$PORT" "$APACHE_PID"
    req GET /api/health
    expect_status "apache-fcgid: after a restart with a short FcgidIOTimeout, requests are served" 200
    slow_pool apache-fcgid
else
    t_fail "apache-fcgid: Apache starts" "$(tail -n 20 "$D/log/error.log" "$D/log/stderr" 2>&1)"
fi
kids=$(desc_pids "$APACHE_PID" .fcgi)
stop_pids "$APACHE_PID"
stop_pids $(alive $kids)
collect_san apache-fcgid

# =====================================================================
# Apache 2.4 + mod_proxy_fcgi, spawn-fcgi pools (spawn-fcgi.sh) on Unix sockets
new_srv apache-proxy
write_env "$D/env" "$PORT" "$D/s"
pools() { # ACTION [PROGRAM...]: apache-conf/spawn-fcgi.sh, as an operator runs it
    WSC_ENV_FILE=$PROXY_D/env WSC_LIB=$LIB WSC_RUN=$PROXY_D/run WSC_LOG=$PROXY_D/log \
        WSC_USER=nobody WSC_GROUP=nogroup WORKERS=2 WORKERS_content=1 \
        sh "$ROOT/apache-conf/spawn-fcgi.sh" "$@" >>"$PROXY_D/log/spawn-fcgi.out" 2>&1
    local rc=$? p
    for p in $PROGS; do
        [ -f "$PROXY_D/run/$p.pid" ] && cat "$PROXY_D/run/$p.pid" >>"$T_PIDS" && echo >>"$T_PIDS"
    done
    return $rc
}
PROXY_D=$D
check "apache-proxy: spawn-fcgi.sh starts a pool for every installed program ($PROGS)" pools start
check "apache-proxy: each pool listens on its Unix socket, for www-data only" \
    test "$(for p in $PROGS; do stat -c '%U:%G %a' "$D/run/$p.sock"; done | sort -u)" = "www-data:www-data 660"
# Unsized, the content pool gets what cores.sh counts, found in WSC_SHARE
# (here one that counts 3), whatever the path spawn-fcgi.sh is run by.
mkdir -p "$D/share" "$D/run3"
printf '#!/bin/sh\necho 3\n' >"$D/share/cores.sh"
cores_pool() { # RUN-DIR: start an unsized content pool with cores.sh from $D/share, print what it said
    (cd "$ROOT/apache-conf" && WSC_ENV_FILE=$PROXY_D/env WSC_LIB=$LIB WSC_RUN=$1 WSC_LOG=$PROXY_D/log \
        WSC_USER=nobody WSC_GROUP=nogroup WSC_SHARE=$D/share sh spawn-fcgi.sh start content 2>&1)
    [ -f "$1/content.pid" ] && cat "$1/content.pid" >>"$T_PIDS" && echo >>"$T_PIDS"
    (WSC_RUN=$1 WSC_LIB=$LIB sh "$ROOT/apache-conf/spawn-fcgi.sh" stop content >/dev/null 2>&1)
}
check "apache-proxy: an unsized content pool has cores.sh's count, run as 'sh spawn-fcgi.sh'" \
    grep -q "^content: 3 processes" <<<"$(cores_pool "$D/run3")"
cat >"$D/httpd.conf" <<CONF
# The server part a Debian apache2.conf would give; the suite's part is
# apache-conf/apache-mod_proxy_fcgi.conf, included as shipped.
ServerRoot $D
DefaultRuntimeDir $D/tmp
PidFile $D/tmp/httpd.pid
Mutex file:$D/tmp default
Listen 127.0.0.1:$PORT
ServerName 127.0.0.1
User www-data
Group www-data
ErrorLog $D/log/error.log
LogLevel warn
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
TypesConfig /etc/mime.types
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so
<VirtualHost 127.0.0.1:$PORT>
    Define WSC_RUN $D/run
    Define WSC_SHARE $SHARE
    Include $ROOT/apache-conf/apache-mod_proxy_fcgi.conf
    # What this test changes later (a shorter timeout for the slow pool).
    IncludeOptional $D/later.conf
</VirtualHost>
CONF
check "apache-proxy: the configuration passes apache2 -t" apache2 -f "$D/httpd.conf" -t
apache2 -f "$D/httpd.conf" -DFOREGROUND >>"$D/log/stderr" 2>&1 &
APACHE_PID=$!
echo "$APACHE_PID" >>"$T_PIDS"
if wait_http "$PORT" "$APACHE_PID"; then
    t_ok "apache-proxy: Apache starts (workers as www-data)"
    srv_pids() { alive $(cat "$PROXY_D/run/$1.pid" 2>/dev/null); }
    srv_restart() { pools restart "$1"; }
    SRV_RESPAWNS=0
    SRV_LOGS="$D/log/error.log $D/log/stderr $D/log/login.log $D/log/callback.log $D/log/content.log"
    HTTP_PORT=$PORT
    smoke apache-proxy
    check "apache-proxy: the programs run as the pools' user" \
        test "$(ps -o user= -p "$(srv_pids content | head -n 1)" 2>/dev/null)" = nobody
    check "apache-proxy: the programs' start-up lines go to spawn-fcgi.sh's log" \
        grep -q 'content.fcgi\[[0-9]*\] info: ready' "$D/log/content.log"
    lifecycle apache-proxy
    server_errors apache-proxy
    echo "ProxyTimeout 3" >"$D/later.conf"
    check "apache-proxy: a restart takes the new timeout" reload_server apache-proxy "$APACHE_PID" "$D/log/error.log"
    wait_http "$PORT" "$APACHE_PID"
    slow_pool apache-proxy
else
    t_fail "apache-proxy: Apache starts" "$(tail -n 20 "$D/log/error.log" "$D/log/stderr" 2>&1)"
fi
stop_pids "$APACHE_PID"
check "apache-proxy: spawn-fcgi.sh stops the pools" pools stop
check "apache-proxy: no pool process is left" test -z "$(alive $(grep -h . "$D/run"/*.pid 2>/dev/null))"
collect_san apache-proxy

# =====================================================================
# nginx + spawn-fcgi/multiwatch pools, run as the systemd unit runs them
new_srv nginx
NGINX_D=$D
write_env "$D/env" "$PORT" "$D/s"
UNIT=$ROOT/apache-conf/systemd/workos-strapi-c@.service
EXEC=$(sed -n 's/^ExecStart=//p' "$UNIT")
check "nginx: the unit runs spawn-fcgi -n with multiwatch" grep -q '^/usr/bin/spawn-fcgi -n .*/usr/bin/multiwatch' <<<"$EXEC"
check "nginx: the unit reads the env file" grep -q '^EnvironmentFile=/etc/workos-strapi-c/env$' "$UNIT"
if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir -p "$D/units"
    cp "$UNIT" "$D/units/workos-strapi-c@content.service"
    cp "$ROOT/apache-conf/systemd/workos-strapi-c.target" "$D/units/"
    check "nginx: systemd-analyze verify accepts the unit and the target" \
        bash -c "cd '$D/units' && systemd-analyze verify --man=no ./workos-strapi-c@content.service ./workos-strapi-c.target"
fi
# unit_start PROGRAM [ENV-FILE]: what `systemctl start workos-strapi-c@PROGRAM`
# does: the env file as the whole environment, %i and ${WORKERS} filled
# in (the paths and users are this test's).
declare -A POOL_PID
unit_start() {
    local prog=$1 envf=${2:-$NGINX_D/env} cmd
    cmd=${EXEC//%i/$prog}
    cmd=${cmd//\$\{WORKERS\}/$([ "$prog" = content ] && echo 1 || echo 2)}
    cmd=${cmd//\/run\/workos-strapi-c/$NGINX_D/run}
    cmd=${cmd//\/usr\/local\/lib\/workos-strapi-c/$LIB}
    cmd=${cmd//-u workos-strapi -g workos-strapi/-u nobody -g nogroup}
    # shellcheck disable=SC2086
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c 'set -a; . "$0"; set +a; exec "$@"' "$envf" $cmd \
        >>"$NGINX_D/log/$prog.journal" 2>&1 &
    POOL_PID[$prog]=$!
    echo "$!" >>"$T_PIDS"
    for _ in $(seq 1 100); do
        [ -S "$NGINX_D/run/$prog.sock" ] && [ -n "$(desc_pids "${POOL_PID[$prog]}" "$prog.fcgi")" ] && return 0
        sleep 0.05
    done
    return 1
}
# unit_stop PROGRAM: what `systemctl stop` does (KillMode=mixed, ExecStopPost).
unit_stop() {
    local kids
    kids=$(desc_pids "${POOL_PID[$1]}" "$1.fcgi")
    stop_pids "${POOL_PID[$1]}"
    stop_pids $(alive $kids)
    rm -f "$NGINX_D/run/$1.sock"
}
for p in $PROGS; do
    check "nginx: the $p pool starts as the unit starts it" unit_start "$p"
done
sed -e "s|^\( *\)listen 80;|\1listen 127.0.0.1:$PORT;|" -e "s|/run/workos-strapi-c/|$D/run/|g" \
    -e "s|/usr/local/share/workos-strapi-c/|$SHARE/|g" \
    "$ROOT/apache-conf/nginx.conf" >"$D/site.conf"
check "nginx: the shipped server block was adapted (port, sockets)" \
    bash -c "grep -q 'listen 127.0.0.1:$PORT;' '$D/site.conf' && ! grep -q /run/workos-strapi-c '$D/site.conf'"
cat >"$D/nginx.conf" <<CONF
# The http part a Debian nginx.conf would give; the suite's server block
# is apache-conf/nginx.conf, included with this test's port and sockets.
user www-data;
worker_processes 1;
pid $D/run/nginx.pid;
error_log $D/log/error.log warn;
events { worker_connections 256; }
http {
    access_log $D/log/access.log;
    client_body_temp_path $D/tmp/body;
    fastcgi_temp_path $D/tmp/fastcgi;
    proxy_temp_path $D/tmp/proxy;
    uwsgi_temp_path $D/tmp/uwsgi;
    scgi_temp_path $D/tmp/scgi;
    include $D/site.conf;
}
CONF
check "nginx: the configuration passes nginx -t" nginx -e "$D/log/error.log" -p "$D" -c "$D/nginx.conf" -t
nginx -e "$D/log/error.log" -p "$D" -c "$D/nginx.conf" -g 'daemon off;' >>"$D/log/stderr" 2>&1 &
NGINX_PID=$!
echo "$NGINX_PID" >>"$T_PIDS"
if wait_http "$PORT" "$NGINX_PID"; then
    t_ok "nginx: nginx starts (workers as www-data)"
    srv_pids() { desc_pids "${POOL_PID[$1]}" "$1.fcgi"; }
    srv_restart() { unit_stop "$1"; unit_start "$1"; }
    SRV_RESPAWNS=1
    SRV_LOGS="$D/log/error.log $D/log/stderr $D/log/login.journal $D/log/callback.journal $D/log/content.journal"
    HTTP_PORT=$PORT
    smoke nginx
    check "nginx: the programs run as the pools' user" \
        test "$(ps -o user= -p "$(srv_pids content | head -n 1)" 2>/dev/null)" = nobody
    check "nginx: the programs' start-up lines go to the journal (spawn-fcgi -n keeps stderr)" \
        grep -q 'content.fcgi\[[0-9]*\] info: ready' "$D/log/content.journal"
    lifecycle nginx

    # What systemd does on `systemctl restart`: the pool stops (the
    # programs finish and exit) and starts again, here with TRUST_PROXY=1
    # as an operator behind a TLS-terminating balancer would set it.
    old=$(srv_pids login)
    write_env "$D/env.proxy" "$PORT" "$D/s" TRUST_PROXY=1
    unit_stop login
    check "nginx: a stopped pool's programs exit" test -z "$(alive $old)"
    req GET /api/auth/workos/login
    check "nginx: with the login pool stopped, login fails cleanly (502) ($STATUS)" test "$STATUS" = 502
    expect_envelope "nginx: with the login pool stopped, nginx's answer is the JSON envelope"
    check "nginx: the login pool restarts" unit_start login "$D/env.proxy"
    req GET /api/auth/workos/login -H 'X-Forwarded-Proto: https'
    expect_status "nginx: after the restart, login works again" 302
    check "nginx: with TRUST_PROXY=1, X-Forwarded-Proto: https makes the cookie Secure" \
        grep -q '; Secure' <<<"$(header Set-Cookie)"
    req GET /api/auth/workos/login
    check "nginx: with TRUST_PROXY=1 but no X-Forwarded-Proto, the cookie is not Secure" \
        bash -c '[ -n "$0" ] && ! grep -q Secure <<<"$0"' "$(header Set-Cookie)"

    server_errors nginx
    sed -i 's/^\( *fastcgi_read_timeout\) .*;/\1 3s;/' "$D/site.conf"
    check "nginx: a reload takes the new timeout (every worker is new)" reload_server nginx "$NGINX_PID" "$D/log/error.log"
    slow_pool nginx
else
    t_fail "nginx: nginx starts" "$(tail -n 20 "$D/log/error.log" "$D/log/stderr" 2>&1)"
fi
stop_pids "$NGINX_PID"
for p in $PROGS; do unit_stop "$p"; done
collect_san nginx
HTTP_PORT=$LIGHTTPD_PORT

# Every file of this suite that holds a secret is readable by its owner
# only (the generated lighttpd configuration, the env files, fcgid-env.conf).
private_secrets "no file that others may read holds a secret (lighttpd.conf, env files)" "$T_RUN"

# =====================================================================
# HTTPS detection in the programs themselves (CGI mode, no server).
https_login() { # VAR=value...: run login.fcgi once; its answer in $T_RUN/https.out
    env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" JWT_SECRET="$JWT_SECRET" \
        WORKOS_API_KEY=sk_test_fake WORKOS_CLIENT_ID=client_test \
        WORKOS_REDIRECT_URI=https://app.example.com/api/auth/workos/callback \
        WORKOS_COOKIE_PASSWORD="$WORKOS_COOKIE_PASSWORD" WORKOS_API_BASE="$FAKE_URL" \
        REQUEST_METHOD=GET REQUEST_URI=/api/auth/workos/login REMOTE_ADDR=127.0.0.1 \
        ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
        "$@" "$BIN_DIR/cgi-bin/login.fcgi" </dev/null >"$T_RUN/https.out" 2>&1
}
secure() { grep -q '^Set-Cookie: wos_login_[A-Za-z0-9_-]*=.*; Secure' "$T_RUN/https.out"; }
plain() { grep -q '^Set-Cookie: wos_login_[A-Za-z0-9_-]*=' "$T_RUN/https.out" && ! secure; }
https_login HTTP_X_FORWARDED_PROTO=https
check "cgi: without TRUST_PROXY, X-Forwarded-Proto: https does not make the cookie Secure" plain
https_login TRUST_PROXY=0 HTTP_X_FORWARDED_PROTO=https
check "cgi: with TRUST_PROXY=0, X-Forwarded-Proto: https does not make the cookie Secure" plain
https_login TRUST_PROXY=1 HTTP_X_FORWARDED_PROTO=https
check "cgi: with TRUST_PROXY=1, X-Forwarded-Proto: https makes the cookie Secure" secure
https_login TRUST_PROXY=1 HTTP_X_FORWARDED_PROTO=http
check "cgi: with TRUST_PROXY=1, X-Forwarded-Proto: http leaves the cookie plain" plain
https_login HTTPS=on
check "cgi: HTTPS=on makes the cookie Secure" secure
https_login TRUST_PROXY=maybe HTTP_X_FORWARDED_PROTO=https
check "cgi: an invalid TRUST_PROXY stops the program, naming it" grep -q 'TRUST_PROXY' "$T_RUN/https.out"
