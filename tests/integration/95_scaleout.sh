# Scale-out, on one machine (README, "Scaling out"): a Postgres primary and
# a streaming replica (pg_basebackup), PgBouncer in transaction pooling mode
# in front of the primary, two app hosts (lighttpd + the programs) and an
# HAProxy balancer, each in its own network namespace when `ip netns` works
# (else on loopback ports).  Host A reaches the primary through PgBouncer
# (DATABASE_POOLER=transaction); host B through a multi-host libpq URL with
# target_session_attrs=read-write.  Both read content pages from the replica.
#
# Checked: a sign-in started on A completes on B; writes through one host
# are read back through the other; content reads run on the replica and
# authorization never does; a session revoked on A is refused on B at once;
# reads go on when the replica stops; the replica promoted and the old
# primary stopped, the same program processes go on serving.  Every process
# started here is stopped by PID at the end, whatever failed.

lighttpd_stop
for tool in pgbouncer haproxy socat; do
    command -v "$tool" >/dev/null || { t_fail "scale-out needs $tool (make deps)"; return 0; }
done

SO=$T_RUN/so
mkdir -p "$SO"
chmod 755 "$SO"
SO_PIDS=()      # processes to stop, in order
SO_PG=()        # cluster directories to stop
SO_NS=()        # namespaces to delete
SO_LINKS=()     # links to delete in this namespace
SO_NSP=so$$

so_cleanup() {
    local p d n
    for p in "${SO_PIDS[@]}" ${SO_KIDS:-}; do kill -TERM "$p" 2>/dev/null; done
    for p in "${SO_PIDS[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$p" 2>/dev/null
    done
    # lighttpd's programs: stopped with it; any left over, by PID.
    for p in ${SO_KIDS:-}; do
        for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$p" 2>/dev/null
    done
    for d in "${SO_PG[@]}"; do
        p=$(pg_pid "$d")
        [ -n "$p" ] || continue
        kill -INT "$p" 2>/dev/null
        for _ in $(seq 1 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$p" 2>/dev/null
    done
    for n in "${SO_NS[@]}"; do ip netns del "$n" 2>/dev/null; done
    for n in "${SO_LINKS[@]}"; do ip link del "$n" 2>/dev/null; done
    SO_PIDS=() SO_PG=() SO_NS=() SO_LINKS=() SO_KIDS=
}
trap so_cleanup EXIT
trap 'exit 130' INT TERM

# so_bg NAME OUT CMD...: start CMD in host NAME in the background, keep its PID.
so_bg() {
    local h=$1 out=$2; shift 2
    # Not through a function: $! must be the process itself (ip exec()s it).
    if [ $NETNS = 1 ] && [ "$h" != root ]; then
        ip netns exec "$SO_NSP-$h" "$@" >"$out" 2>&1 &
    else
        "$@" >"$out" 2>&1 &
    fi
    SO_PIDS+=($!)
    echo $! >>"$T_PIDS"
}

# ---------------------------------------------------------------- hosts
# SCALEOUT_LOOPBACK=1 forces the loopback variant.
NETNS=0
if [ -z "${SCALEOUT_LOOPBACK:-}" ] && [ "$(id -u)" = 0 ] && ip netns add "$SO_NSP-probe" 2>/dev/null; then
    ip netns del "$SO_NSP-probe"
    NETNS=1
fi
if [ $NETNS = 1 ]; then
    # One bridge in this namespace; each host a namespace with one veth on it.
    for _ in $(seq 1 20); do
        NET=10.$((200 + RANDOM % 50)).$((RANDOM % 250))
        ip -4 addr | grep -q " $NET\." || break
    done
    BR=${SO_NSP}br
    ip link add "$BR" type bridge && SO_LINKS+=("$BR") &&
        ip addr add "$NET.1/24" dev "$BR" && ip link set "$BR" up || NETNS=0
fi
nsx() { # HOST CMD...: run CMD on HOST ("root": this namespace)
    local h=$1; shift
    if [ $NETNS = 1 ] && [ "$h" != root ]; then ip netns exec "$SO_NSP-$h" "$@"; else "$@"; fi
}
nsx_pg() { # HOST CMD...: CMD as the postgres user on HOST, from / (it may
    # not be able to enter the checkout, which CI may place where only root can)
    local h=$1; shift
    (cd / && nsx "$h" runuser -u postgres -- "$@")
}
declare -A HIP HPORT
if [ $NETNS = 1 ]; then
    for h in pg1:11 pg2:12 bnc:13 a:21 b:22 lb:30; do
        n=${h%%:*}
        ns=$SO_NSP-$n
        ip netns add "$ns" && SO_NS+=("$ns") &&
            ip link add "v$$$n" type veth peer name eth0 netns "$ns" &&
            ip link set "v$$$n" master "$BR" up &&
            ip -n "$ns" addr add "$NET.${h##*:}/24" dev eth0 &&
            ip -n "$ns" link set eth0 up && ip -n "$ns" link set lo up ||
            { t_fail "network namespace $n"; return 0; }
        HIP[$n]=$NET.${h##*:}
    done
    HPORT=([pg1]=5432 [pg2]=5432 [bnc]=6432 [a]=8080 [b]=8080 [lb]=8080)
    echo "# scale-out: each host in its own network namespace on $NET.0/24"
else
    for n in pg1 pg2 bnc a b lb; do HIP[$n]=127.0.0.1; HPORT[$n]=$(free_port); done
    echo "# note: no network namespaces (ip netns unavailable, or SCALEOUT_LOOPBACK set): the scale-out hosts share loopback, one port each"
fi

# The fake WorkOS listens on this namespace's loopback; the app hosts need it
# on theirs (plain http is allowed only to a loopback address): a forwarder
# on each app host's loopback to one on the bridge, to the fake.
FAKE_PORT=${FAKE_URL##*:}
if [ $NETNS = 1 ]; then
    FWD=$(free_port)
    so_bg root "$SO/fwd.log" socat "TCP-LISTEN:$FWD,bind=$NET.1,fork,reuseaddr" "TCP:127.0.0.1:$FAKE_PORT"
    for n in a b; do
        so_bg "$n" "$SO/fwd-$n.log" socat "TCP-LISTEN:$FAKE_PORT,bind=127.0.0.1,fork,reuseaddr" "TCP:$NET.1:$FWD"
    done
fi

url() { echo "postgresql://postgres@${HIP[$1]}:${HPORT[$1]}/${2:-app}"; }

# ---------------------------------------------------------------- Postgres
# so_pg_start NAME EXTRA-OPTIONS: start the cluster $SO/NAME on host NAME.
so_pg_start() {
    local n=$1 extra=$2
    nsx_pg "$n" "$(pg_bindir)/pg_ctl" -D "$SO/$n/data" -l "$SO/$n/postgres.log" \
        -w -t 60 -o "-p ${HPORT[$n]} -k $SO/$n/sock -c listen_addresses=${HIP[$n]} -c fsync=off \
        -c full_page_writes=off -c max_connections=100 -c wal_level=replica -c max_wal_senders=5 \
        -c hot_standby=on -c log_statement=all -c log_line_prefix=app=%a: $extra" start >/dev/null
}
so_pg_stop() { # NAME: the postmaster, by PID, fast shutdown
    local p
    p=$(pg_pid "$SO/$1")
    [ -n "$p" ] || return 0
    kill -INT "$p"
    for _ in $(seq 1 200); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.05; done
    return 1
}
so_psql() { # NAME SQL
    psql -X -q -A -t -v ON_ERROR_STOP=1 "$(url "$1")" -c "$2"
}

ready=1
SO_PG+=("$SO/pg1")
if pg_init "$SO/pg1" >/dev/null &&
    printf 'host all all %s/24 trust\nhost replication all %s/24 trust\n' "${HIP[pg1]%.*}.0" "${HIP[pg1]%.*}.0" \
        >>"$SO/pg1/data/pg_hba.conf" &&
    so_pg_start pg1 "" &&
    psql -X -q "$(url pg1 postgres)" -c "CREATE DATABASE app" -c "ALTER ROLE postgres SET statement_timeout = '15s'" &&
    DATABASE_URL=$(url pg1) "$BIN_DIR/bin/migrate" --dir sql >"$SO/migrate.log" 2>&1; then
    t_ok "a primary starts and the migrations apply"
else
    t_fail "a primary starts and the migrations apply" "$(tail -5 "$SO/pg1/postgres.log" "$SO/migrate.log" 2>/dev/null)"
    ready=0
fi
SO_PG+=("$SO/pg2")
if [ $ready = 1 ] && mkdir -p "$SO/pg2/sock" && chown postgres "$SO/pg2" "$SO/pg2/sock" &&
    nsx_pg pg2 "$(pg_bindir)/pg_basebackup" -h "${HIP[pg1]}" -p "${HPORT[pg1]}" \
        -U postgres -D "$SO/pg2/data" -R -X stream -c fast >"$SO/basebackup.log" 2>&1 &&
    so_pg_start pg2 "" &&
    [ "$(so_psql pg2 'SELECT pg_is_in_recovery()')" = t ]; then
    t_ok "a streaming replica made with pg_basebackup starts in recovery"
else
    t_fail "a streaming replica starts" "$(tail -5 "$SO/basebackup.log" "$SO/pg2/postgres.log" 2>/dev/null)"
    ready=0
fi

# wait_replayed: until the replica has replayed all the primary wrote (an
# outcome: the replica's replay position reaches the primary's).
PRIMARY=pg1
wait_replayed() {
    local lsn
    lsn=$(so_psql "$PRIMARY" "SELECT pg_current_wal_lsn()") || return 1
    for _ in $(seq 1 200); do
        [ "$(so_psql pg2 "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn" 2>/dev/null)" = t ] && return 0
        sleep 0.05
    done
    return 1
}

# ---------------------------------------------------------------- PgBouncer
BNC=$SO/bnc
mkdir -p "$BNC"
chown postgres "$BNC"
bnc_conf() { # NAME: PgBouncer's configuration with the primary on host NAME
    cat <<CONF
[databases]
app = host=${HIP[$1]} port=${HPORT[$1]} dbname=app

[pgbouncer]
listen_addr = ${HIP[bnc]}
listen_port = ${HPORT[bnc]}
unix_socket_dir =
auth_type = trust
auth_file = $BNC/userlist.txt
pool_mode = transaction
server_login_retry = 1
default_pool_size = 4
max_client_conn = 100
ignore_startup_parameters = extra_float_digits
admin_users = postgres
logfile = $BNC/pgbouncer.log
pidfile = $BNC/pgbouncer.pid
CONF
}
if [ $ready = 1 ]; then
    echo '"postgres" ""' >"$BNC/userlist.txt"
    bnc_conf pg1 >"$BNC/pgbouncer.ini"
    so_bg bnc "$BNC/stderr" setpriv --reuid=postgres --regid=postgres --init-groups \
        pgbouncer "$BNC/pgbouncer.ini"
    BNC_PID=$!
    for _ in $(seq 1 100); do
        psql -X -q -A -t "postgresql://postgres@${HIP[bnc]}:${HPORT[bnc]}/app" -c "SELECT 1" >/dev/null 2>&1 && break
        sleep 0.1
    done
    check "PgBouncer (transaction pooling) answers in front of the primary" \
        psql -X -q -A -t "postgresql://postgres@${HIP[bnc]}:${HPORT[bnc]}/app" -c "SELECT 1"
fi

# ---------------------------------------------------------------- app hosts
LB_URL=http://${HIP[lb]}:${HPORT[lb]}
host_url() { echo "http://${HIP[$1]}:${HPORT[$1]}"; }
# start_host NAME DATABASE_URL DATABASE_POOLER
start_host() {
    local n=$1 dir=$SO/host-$1
    mkdir -p "$dir"
    chmod 755 "$dir"
    PORT=${HPORT[$n]} BIND=${HIP[$n]} RUN_DIR=$dir BIN_DIR=$BIN_DIR \
        DATABASE_URL=$2 DATABASE_POOLER=$3 DATABASE_READ_URL="$(url pg2)?application_name=read-$n" \
        WORKOS_REDIRECT_URI="$LB_URL/api/auth/workos/callback" \
        PASS_ENV="${ASAN_OPTIONS:+ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS}" \
        bash "$ROOT/tools/lighttpd-conf.sh" >"$dir/lighttpd.conf" || return 1
    so_bg "$n" "$dir/lighttpd.stderr" lighttpd -D -f "$dir/lighttpd.conf"
    eval "LPID_$n=\$!"
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "$(host_url "$n")/" && return 0
        sleep 0.05
    done
    return 1
}
if [ $ready = 1 ]; then
    if start_host a "postgresql://postgres@${HIP[bnc]}:${HPORT[bnc]}/app?application_name=host-a" transaction &&
        start_host b "postgresql://postgres@${HIP[pg1]}:${HPORT[pg1]},${HIP[pg2]}:${HPORT[pg2]}/app?target_session_attrs=read-write&application_name=host-b" none; then
        t_ok "two app hosts start (A through PgBouncer, B with a multi-host URL)"
    else
        t_fail "two app hosts start" "$(cat "$SO"/host-*/lighttpd.stderr "$SO"/host-*/error.log 2>/dev/null | tail -5)"
        ready=0
    fi
fi

# ---------------------------------------------------------------- balancer
if [ $ready = 1 ]; then
    cat >"$SO/haproxy.cfg" <<CONF
global
    maxconn 500
    stats socket $SO/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option httpchk GET /api/health
    http-check expect status 200
frontend api
    bind ${HIP[lb]}:${HPORT[lb]}
    default_backend apps
backend apps
    balance roundrobin
    option forwardfor
    server a ${HIP[a]}:${HPORT[a]} check inter 1s
    server b ${HIP[b]}:${HPORT[b]} check inter 1s
CONF
    so_bg lb "$SO/haproxy.log" haproxy -db -f "$SO/haproxy.cfg"
    for _ in $(seq 1 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$LB_URL/api/health")" = 200 ] && break
        sleep 0.1
    done
    check "the shipped HAProxy configuration is valid" haproxy -c -q -f "$ROOT/deploy/haproxy.cfg"
    for _ in 1 2 3 4 5 6; do curl -s -o /dev/null "$LB_URL/api/health"; done
    stot=$(echo "show stat" | socat stdio "unix-connect:$SO/haproxy.sock" |
        awk -F, '$1 == "apps" && ($2 == "a" || $2 == "b") && $8 > 0 {n++} END {print n+0}')
    check "the balancer spreads requests over both hosts" test "$stot" = 2
    # The programs that serve now: the same processes must serve at the end.
    SO_KIDS="$(pgrep -P "$LPID_a") $(pgrep -P "$LPID_b")"
    KIDS_BEFORE=$(echo $SO_KIDS | tr ' ' '\n' | sort | tr '\n' ' ')
fi

# ---------------------------------------------------------------- sign-in A -> B
sreq() { # METHOD URL [curl args]: sets STATUS and BODY
    local m=$1 u=$2; shift 2
    STATUS=$(curl -gsS --max-time 30 -o "$T_RUN/body" -D "$T_RUN/hdrs" -w '%{http_code}' -X "$m" "$@" "$u" 2>"$T_RUN/curl.err") || true
    [ -n "$STATUS" ] || STATUS=000
    BODY=$(cat "$T_RUN/body" 2>/dev/null)
}
# signin USER FIRST-HOST LAST-HOST: login on one host, callback on the other.
signin() {
    local jar=$SO/jar.$RANDOM loc cb ck
    sreq GET "$(host_url "$2")/api/auth/workos/login" -c "$jar"
    loc=$(header Location)
    cb=$(curl -gsS -o /dev/null -w '%{redirect_url}' "$loc&user=$1")
    ck=$(awk '$6 ~ /^wos_login_/ {print $6 "=" $7}' "$jar")
    sreq GET "$(host_url "$3")${cb#"$LB_URL"}" -H "Cookie: $ck"
}
if [ $ready = 1 ]; then
    fake POST /_fake/reset >/dev/null
    fake POST /_fake/users '{"id":"user_01SCALE","email":"scale@example.com","first_name":"Scale"}' >/dev/null
    signin user_01SCALE a b
    expect_status "a sign-in started on host A completes on host B" 200
    JWT=$(jq -r .jwt <<<"$BODY" 2>/dev/null)
    sreq GET "$(host_url a)/api/users/me" -H "Authorization: Bearer $JWT"
    expect_json "host B's JWT opens /api/users/me on host A" '.email == "scale@example.com"'
    signin user_01SCALE b a
    expect_status "and one started on host B completes on host A" 200
fi

# ---------------------------------------------------------------- writes, reads
RND=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
AUTH=(-H "Authorization: Bearer ${JWT:-x}")
post_article() { # HOST TITLE: sets DOC
    sreq POST "$(host_url "$1")/api/articles" "${AUTH[@]}" -H 'Content-Type: application/json' \
        --data "{\"data\":{\"title\":\"$2\",\"content\":\"body\"}}"
    DOC=$(jq -r '.data.documentId // empty' <<<"$BODY" 2>/dev/null)
}
if [ $ready = 1 ]; then
    post_article a "written-on-a-$RND"
    expect_status "a write through host A (PgBouncer) answers 201" 201
    doc_a=$DOC
    post_article b "written-on-b-$RND"
    expect_status "a write through host B answers 201" 201
    doc_b=$DOC
    check "the replica replays the writes" wait_replayed
    sreq GET "$(host_url b)/api/articles/$doc_a" "${AUTH[@]}"
    expect_json "host A's write is read back through host B" ".data.title == \"written-on-a-$RND\""
    sreq GET "$(host_url a)/api/articles/$doc_b"
    expect_json "host B's write is read back through host A" ".data.title == \"written-on-b-$RND\""
    sreq GET "$LB_URL/api/articles?filters[title][\$endsWith]=-$RND&sort=title"
    expect_json "a list through the balancer sees both writes" \
        "[.data[].title] == [\"written-on-a-$RND\", \"written-on-b-$RND\"] and .meta.pagination.total == 2"

    # Which server ran what: log_statement=all on both, application_name per host.
    for h in a b; do
        sreq GET "$(host_url $h)/api/articles?filters[title][\$eq]=probe-auth-$h-$RND" "${AUTH[@]}"
        sreq GET "$(host_url $h)/api/articles?filters[title][\$eq]=probe-anon-$h-$RND"
        sreq GET "$(host_url $h)/api/articles/$doc_a?fields[0]=title" "${AUTH[@]}"
    done
    R=$SO/pg2/postgres.log P=$SO/pg1/postgres.log
    for h in a b; do
        check "host $h: an authenticated list page runs on the replica" grep -q "probe-auth-$h-$RND" "$R"
        check "host $h: an anonymous list page runs on the replica" grep -q "probe-anon-$h-$RND" "$R"
        check "host $h: no list page runs on the primary" test "$(grep -c "probe-[a-z]*-$h-$RND" "$P")" = 0
        check "host $h: a findOne runs on the replica" grep -q "app=read-$h:.*document_id = \$1" "$R"
    done
    check "authorization never reads the replica (users, sessions)" \
        test "$(grep -cE 'FROM (users|sessions|memberships|permissions)' "$R")" = 0
    check "authorization reads the primary" grep -qE "app=host-b:.*FROM users" "$P"
    check "behind PgBouncer the anonymous budget is SET LOCAL in the statement's transaction" \
        grep -q "app=read-a:.*SET LOCAL statement_timeout = 500" "$R"
    check "behind PgBouncer, no named prepared statement" \
        test "$(grep -cE 'app=(host|read)-a:.*execute [^<]' "$P" "$R" | awk -F: '{s += $NF} END {print s}')" = 0
    check "behind PgBouncer, unnamed statements" grep -q "app=host-a:.*execute <unnamed>" "$P"
    check "without a pooler, named prepared statements" grep -qE "app=host-b:.*execute [a-z]" "$P"
fi

# ---------------------------------------------------------------- budgets
# The anonymous budget (READ_TIMEOUT, 500 ms) on the replica: as session
# state on host B, as SET LOCAL in the statement's own transaction on A.
if [ $ready = 1 ]; then
    head -c 1000000 /dev/zero | tr '\0' a >"$SO/a.txt"
    jq -nc --rawfile c "$SO/a.txt" '{data: {title: "Big", content: $c}}' >"$SO/big.json"
    sreq POST "$(host_url a)/api/articles" "${AUTH[@]}" -H 'Content-Type: application/json' \
        --data-binary "@$SO/big.json"
    expect_status "an article with 1 MB of text is created" 201
    # Twenty more: text matches are linear, so it takes megabytes to make
    # 32 case-insensitive ones outlast the budget.
    jq -nc --rawfile c "$SO/a.txt" '{data: {title: "Filler", content: $c}}' >"$SO/filler.json"
    for _ in $(seq 1 20); do
        sreq POST "$(host_url a)/api/articles" "${AUTH[@]}" -H 'Content-Type: application/json' \
            --data-binary "@$SO/filler.json"
        [ "$STATUS" = 201 ] || break
    done
    expect_status "twenty more articles of 1 MB are created" 201
    wait_replayed
    slowq="fields[0]=title"
    alphabet=bcdefghijklmnopqrstuvwxyz0123456789
    for i in $(seq 0 31); do
        slowq="$slowq&filters[\$or][$i][content][\$containsi]=$(head -c 255 /dev/zero | tr '\0' a)${alphabet:$i:1}"
    done
    for h in a b; do
        sreq GET "$(host_url $h)/api/articles?$slowq"
        expect_error "host $h: an anonymous read past its budget is cancelled (503)" 503 ServiceUnavailableError
        sreq GET "$(host_url $h)/api/articles?fields[0]=title&filters[title][\$eq]=Big"
        expect_json "host $h: the next read is served as usual" '.data[0].title == "Big"'
    done
    # At least the two slow reads (on a loaded machine another read may
    # pass the 500 ms too); each host's own counts.
    for h in a b; do
        check "the replica cancelled host $h's slow statement" \
            test "$(grep -cE "app=read-$h:ERROR:  canceling statement due to statement timeout" "$SO/pg2/postgres.log")" -ge 1
    done
fi

# ---------------------------------------------------------------- revocation
if [ $ready = 1 ]; then
    signin user_01SCALE a a
    jwt2=$(jq -r .jwt <<<"$BODY" 2>/dev/null)
    sreq GET "$(host_url b)/api/articles" -H "Authorization: Bearer $jwt2"
    expect_status "a second session works on host B" 200
    sreq POST "$(host_url a)/api/auth/logout" -H "Authorization: Bearer $jwt2" \
        -H 'Content-Type: application/json' --data '{}'
    expect_json "the session is revoked through host A" '.ok == true'
    sreq GET "$(host_url b)/api/users/me" -H "Authorization: Bearer $jwt2"
    expect_status "the revoked session is refused on host B at once" 401
    sreq GET "$(host_url b)/api/articles" -H "Authorization: Bearer $jwt2"
    expect_status "also for a content read served by the replica" 401
    sreq GET "$(host_url a)/api/articles/$doc_b" -H "Authorization: Bearer $jwt2"
    expect_status "and on host A" 401
fi

# ---------------------------------------------------------------- replica down
if [ $ready = 1 ]; then
    # Blog posts read through the replica first: their read scope is a
    # statement prepared there, and then on the primary too.
    for i in 1 2 3 4 5 6 7 8; do
        sreq GET "$(host_url b)/api/blog-posts"
    done
    expect_status "blog posts list through the replica" 200
    check "the replica stops" so_pg_stop pg2
    bad=0
    for i in 1 2 3 4 5 6 7 8; do
        sreq GET "$(host_url b)/api/blog-posts"
        [ "$STATUS" = 200 ] || bad=$((bad + 1))
    done
    check "replica down: blog posts still list from the primary ($bad of 8 failed)" test $bad = 0
    for h in a b a b; do
        sreq GET "$(host_url $h)/api/articles?filters[title][\$endsWith]=-$RND" "${AUTH[@]}"
        expect_json "replica down: host $h still lists (from the primary)" '.meta.pagination.total == 2'
    done
    sreq GET "$(host_url b)/api/articles/$doc_a"
    expect_status "replica down: host B's findOne answers" 200
    post_article a "while-replica-down-$RND"
    sreq GET "$(host_url b)/api/articles/$DOC"
    expect_json "replica down: a write on A is read at once on B" ".data.title == \"while-replica-down-$RND\""
    check "the programs say they read from the primary" \
        grep -q "read replica unavailable" "$SO/host-a/error.log" "$SO/host-b/error.log"
    so_pg_start pg2 "" && t_ok "the replica starts again" || t_fail "the replica starts again"
    check "the replica catches up" wait_replayed
    back=0
    for i in $(seq 1 60); do
        sreq GET "$(host_url a)/api/articles?filters[title][\$eq]=probe-back-$i-$RND" "${AUTH[@]}"
        grep -q "probe-back-$i-$RND" "$SO/pg2/postgres.log" && { back=1; break; }
        sleep 0.25
    done
    check "reads go back to the replica once it answers again" test $back = 1
fi

# ---------------------------------------------------------------- failover
if [ $ready = 1 ]; then
    check "the old primary stops" so_pg_stop pg1
    nsx_pg pg2 "$(pg_bindir)/pg_ctl" -D "$SO/pg2/data" -w -t 60 promote >/dev/null
    check "the replica is promoted" test "$(so_psql pg2 'SELECT pg_is_in_recovery()')" = f
    PRIMARY=pg2
    # PgBouncer follows the new primary: its configuration names it, reloaded.
    bnc_conf pg2 >"$BNC/pgbouncer.ini"
    kill -HUP "$BNC_PID"
    ok=0
    for _ in $(seq 1 50); do
        psql -X -q -A -t "postgresql://postgres@${HIP[bnc]}:${HPORT[bnc]}/app" \
            -c "SELECT NOT pg_is_in_recovery()" 2>/dev/null | grep -q t && { ok=1; break; }
        sleep 0.1
    done
    check "PgBouncer reloads onto the new primary" test $ok = 1
    post_article a "after-failover-a-$RND"
    expect_status "after failover: a write through host A (PgBouncer) answers 201" 201
    doc_fa=$DOC
    post_article b "after-failover-b-$RND"
    expect_status "after failover: a write through host B (multi-host URL) answers 201" 201
    doc_fb=$DOC
    sreq GET "$(host_url b)/api/articles/$doc_fa"
    expect_json "after failover: A's write is read through B" ".data.title == \"after-failover-a-$RND\""
    sreq GET "$(host_url a)/api/articles/$doc_fb"
    expect_json "after failover: B's write is read through A" ".data.title == \"after-failover-b-$RND\""
    # The hosts' health failed during the failover: HAProxy takes them back
    # after two good checks a second apart.  Wait for both, up to 30 s.
    for _ in $(seq 1 300); do
        [ "$(echo "show stat" | socat stdio "unix-connect:$SO/haproxy.sock" |
            awk -F, '$1 == "apps" && ($2 == "a" || $2 == "b") && $18 == "UP" {n++} END {print n+0}')" = 2 ] && break
        sleep 0.1
    done
    sreq GET "$LB_URL/api/articles?filters[title][\$endsWith]=-$RND"
    expect_json "after failover: the balancer lists every write" '.meta.pagination.total == 5'
    signin user_01SCALE b a
    expect_status "after failover: a sign-in from B to A" 200
    sreq GET "$LB_URL/api/users/me" -H "Authorization: Bearer $(jq -r .jwt <<<"$BODY" 2>/dev/null)"
    expect_status "after failover: its JWT works through the balancer" 200
    kids_after=$( (pgrep -P "$LPID_a"; pgrep -P "$LPID_b") | sort | tr '\n' ' ')
    check "the same program processes served throughout (no restart)" test "$kids_after" = "$KIDS_BEFORE"
fi

so_cleanup
trap - EXIT INT TERM
left=0
for p in $KIDS_BEFORE; do kill -0 "$p" 2>/dev/null && left=1; done
check "every process of the scale-out is stopped" test $left = 0
