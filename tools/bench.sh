#!/usr/bin/env bash
# make bench: requests per second and latency of the suite under lighttpd,
# against a scratch Postgres on loopback, measured with wrk.  Nothing is
# asserted: the numbers are for comparing builds on the same machine.
#
#   DURATION=10s CONNECTIONS=16 PROCS=2 make bench
#   make bench HOSTS=2     also 1 and 2 app hosts behind HAProxy, and replica lag
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. tools/pg.sh

DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-16}
PROCS=${PROCS:-2}

if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        echo "installing wrk..."
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null ||
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
    fi
    command -v wrk >/dev/null 2>&1 || { echo "bench needs wrk (apt-get install wrk)" >&2; exit 1; }
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/suite-bench.XXXXXX")
chmod 755 "$T"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    pg_stop "$T/pg2"
    pg_stop "$T/pg"
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PG_PORT=$(free_port)
pg_init "$T/pg" && pg_start "$T/pg" "$PG_PORT" || exit 1
psql -X -q "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -c "CREATE DATABASE bench" || exit 1
export DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/bench"
export JWT_SECRET="bench-secret-$(openssl rand -hex 16)"
# The sign-in programs are not measured here, but must start.
export WORKOS_API_KEY=sk_bench WORKOS_CLIENT_ID=client_bench \
    WORKOS_REDIRECT_URI="http://127.0.0.1/api/auth/workos/callback" \
    WORKOS_COOKIE_PASSWORD="$(openssl rand -hex 32)" WORKOS_API_BASE=http://127.0.0.1:9
export WORKOS_WEBHOOK_SECRET="bench-webhook-$(openssl rand -hex 16)"
./bin/migrate --dir sql >/dev/null || exit 1

# 1,000 articles and 1,000 blog posts over two organizations.
psql -X -q "$DATABASE_URL" <<'SQL' || exit 1
INSERT INTO organizations (id) VALUES ('org_01BENCHA'), ('org_01BENCHB');
INSERT INTO articles (document_id, title, content, slug)
SELECT 'a' || lpad(to_hex(g), 23, '0'), 'Article ' || g, repeat('text ', 50), 'article-' || g
FROM generate_series(1, 1000) g;
INSERT INTO blog_posts (document_id, title, content, slug, organization_id, status, published_at)
SELECT 'b' || lpad(to_hex(g), 23, '0'), 'Post ' || g, repeat('text ', 50), 'post-' || g,
       CASE WHEN g % 2 = 0 THEN 'org_01BENCHA' ELSE 'org_01BENCHB' END,
       CASE WHEN g % 3 = 0 THEN 'draft' ELSE 'published' END, now()
FROM generate_series(1, 1000) g;
ANALYZE;
SQL
uid=$(psql -X -qtA "$DATABASE_URL" -c "INSERT INTO users (document_id, username, email, provider, confirmed, role_id) SELECT 'benchuser000000000000000', 'bench', 'bench@example.com', 'local', true, id FROM roles WHERE type = 'authenticated' RETURNING id")
psql -X -q "$DATABASE_URL" -c "INSERT INTO memberships (user_id, organization_id, role_slug) VALUES ($uid, 'org_01BENCHA', 'member')"
tok=$(./bin/token --id "$uid" --org org_01BENCHA)

PORT=$(free_port)
mkdir -p "$T/run"
# The configuration holds the secrets (owner only); lighttpd's and the
# programs' own lines go to the log, not between the table's rows.
(umask 077; PORT=$PORT RUN_DIR=$T/run BIN_DIR=$ROOT MAX_PROCS=$PROCS bash tools/lighttpd-conf.sh >"$T/run/lighttpd.conf") || exit 1
lighttpd -D -f "$T/run/lighttpd.conf" 2>>"$T/run/error.log" &
pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.05; done

base="http://127.0.0.1:$PORT"
echo "wrk: $DURATION, $CONNECTIONS connections, $PROCS content.fcgi processes, 2 wrk threads"
printf '%-58s %12s %10s %10s\n' "request" "req/s" "p50" "p99"
run() { # label url [header]
    local out
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency ${3:+-H "$3"} "$2" 2>&1)
    printf '%-58s %12s %10s %10s\n' "$1" \
        "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
        "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
        "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}
run "GET /api/health" "$base/api/health"
run "GET /api/users/me (JWT + user reload)" "$base/api/users/me" "Authorization: Bearer $tok"
run "GET /api/articles (page of 25)" "$base/api/articles"
run "GET /api/articles?filters[title][\$containsi]&sort" \
    "$base/api/articles?filters%5Btitle%5D%5B%24containsi%5D=article%2099&sort=title:desc&pagination%5BpageSize%5D=10"
run "GET /api/blog-posts (member: org drafts + published)" "$base/api/blog-posts" "Authorization: Bearer $tok"
run "GET /api/blog-posts/:documentId (anonymous)" "$base/api/blog-posts/b00000000000000000000001"
run "GET /api/nothing (404 envelope)" "$base/api/nothing"

# The session path: a JWT naming a session (the sessions row is checked in
# the same round trip as the user), and refreshes, each rotating the
# refresh token (one connection: a token is good for one refresh).
sid=benchsession000000000000
secret=$(openssl rand 32 | openssl base64 -A | tr '+/' '-_' | tr -d '=')
hash=$(printf '%s' "$secret" | tr -- '-_' '+/' | sed 's/$/=/' | openssl base64 -d -A | openssl dgst -sha256 -hex | sed 's/.*= //')
psql -X -q "$DATABASE_URL" -c "INSERT INTO sessions (id, user_id, organization_id, refresh_hash, mode, idle_expires_at, expires_at)
    VALUES ('$sid', $uid, 'org_01BENCHA', decode('$hash', 'hex'), 'api', now() + interval '1 day', now() + interval '1 day')"
stok=$(node -e '
const c = require("crypto"), [k, id, org, sid] = process.argv.slice(1);
const b = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const m = b({ alg: "HS256", typ: "JWT" }) + "." + b({ id: Number(id), organizationId: org, sid, iat: now, exp: now + 3600 });
process.stdout.write(m + "." + c.createHmac("sha256", k).update(m).digest("base64url"));
' "$JWT_SECRET" "$uid" org_01BENCHA "$sid")
run "GET /api/users/me (session JWT: user + session)" "$base/api/users/me" "Authorization: Bearer $stok"
run "GET /api/blog-posts (member, session JWT)" "$base/api/blog-posts" "Authorization: Bearer $stok"
cat >"$T/refresh.lua" <<LUA
local tok = "$sid.$secret"
request = function()
  return wrk.format("POST", "/api/auth/refresh", {["Content-Type"] = "application/json"},
    '{"refreshToken":"' .. tok .. '"}')
end
response = function(status, headers, body)
  local t = body:match('"refreshToken":"([^"]+)"')
  if t then tok = t end
end
LUA
out=$(wrk -t1 -c1 -d"$DURATION" --latency -s "$T/refresh.lua" "$base/api/auth/refresh" 2>&1)
printf '%-58s %12s %10s %10s\n' "POST /api/auth/refresh (rotating, 1 connection)" \
    "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
    "$(awk '$1 == "99%" {print $2}' <<<"$out")"
grep -q 'Non-2xx' <<<"$out" && echo "  (some refreshes were refused: $(grep 'Non-2xx' <<<"$out"))"

# Webhooks: signed user.updated deliveries for a signed-in user, each a new
# event id with a later version (wrk replays the list when it runs out:
# those are then duplicates, answered from the id alone).
if [ -x cgi-bin/webhook.fcgi ]; then
    psql -X -q "$DATABASE_URL" -c "UPDATE users SET workos_user_id = 'user_01BENCH' WHERE id = $uid"
    node - "$WORKOS_WEBHOOK_SECRET" 10000 >"$T/webhooks.lua" <<'JS'
const crypto = require('crypto');
const [secret, n] = [process.argv[2], Number(process.argv[3])];
const t0 = Date.now() - 3600e3, t = Date.now();
const out = ['requests = {}'];
for (let i = 0; i < n; i++) {
  const at = new Date(t0 + i).toISOString();
  const body = JSON.stringify({ id: `event_bench_${i}`, event: 'user.updated', created_at: at,
    data: { object: 'user', id: 'user_01BENCH', email: 'bench@example.com', email_verified: true,
      first_name: `Bench${i}`, last_name: 'User', created_at: at, updated_at: at } });
  const sig = `t=${t}, v1=${crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
  out.push(`requests[${i + 1}] = {${JSON.stringify(sig)}, ${JSON.stringify(body)}}`);
}
out.push('local i = 0',
  'request = function()',
  '  i = i % #requests + 1',
  '  return wrk.format("POST", "/api/webhooks/workos", {["Content-Type"] = "application/json", ["WorkOS-Signature"] = requests[i][1]}, requests[i][2])',
  'end');
process.stdout.write(out.join('\n') + '\n');
JS
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$T/webhooks.lua" "$base/api/webhooks/workos" 2>&1)
    printf '%-58s %12s %10s %10s\n' "POST /api/webhooks/workos (signed, $PROCS processes)" \
        "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
        "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
        "$(awk '$1 == "99%" {print $2}' <<<"$out")"
    grep -q 'Non-2xx' <<<"$out" && echo "  (some webhook answers were not 2xx: $(grep 'Non-2xx' <<<"$out"))"
fi

# HOSTS=2 (or more): the same content reads through HAProxy in front of 1..HOSTS
# app hosts (each a lighttpd with PROCS content processes, reading pages from a
# streaming replica), then a write load through all of them while the
# primary's view of the replica's replay lag is sampled.  On one machine the
# hosts share its cores, so the ratio says what the balancer and a second
# web server cost or give here, not what a second machine would give.
HOSTS=${HOSTS:-1}
[ "$HOSTS" -gt 1 ] 2>/dev/null || exit 0
for tool in haproxy; do
    command -v "$tool" >/dev/null || { echo "HOSTS needs $tool (make deps)" >&2; exit 1; }
done
R_PORT=$(free_port)
mkdir -p "$T/pg2/sock" && chown postgres "$T/pg2" "$T/pg2/sock" 2>/dev/null
pg_as_owner "$(pg_bindir)/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres \
    -D "$T/pg2/data" -R -X stream -c fast >/dev/null || exit 1
pg_start "$T/pg2" "$R_PORT" || exit 1
READ_URL="postgresql://postgres@127.0.0.1:$R_PORT/bench"
hports=()
for h in $(seq 1 "$HOSTS"); do
    hp=$(free_port)
    mkdir -p "$T/host$h"
    PORT=$hp RUN_DIR=$T/host$h BIN_DIR=$ROOT MAX_PROCS=$PROCS DATABASE_READ_URL=$READ_URL \
        bash tools/lighttpd-conf.sh >"$T/host$h/lighttpd.conf" || exit 1
    lighttpd -D -f "$T/host$h/lighttpd.conf" &
    pids+=($!)
    hports+=("$hp")
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$hp/" && break; sleep 0.05; done
done
LB_PORT=$(free_port)
hapid=
lb() { # N: HAProxy in front of the first N hosts
    [ -n "$hapid" ] && { kill "$hapid"; wait "$hapid" 2>/dev/null; }
    {
        printf 'global\n    maxconn 2000\ndefaults\n    mode http\n'
        printf '    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n'
        printf 'frontend api\n    bind 127.0.0.1:%s\n    default_backend apps\n' "$LB_PORT"
        printf 'backend apps\n    balance roundrobin\n    http-reuse always\n'
        for i in $(seq 1 "$1"); do printf '    server app%s 127.0.0.1:%s\n' "$i" "${hports[$((i - 1))]}"; done
    } >"$T/haproxy.cfg"
    haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
    hapid=$!
    pids+=($hapid)
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$LB_PORT/api/health" && break; sleep 0.05; done
}
lbase="http://127.0.0.1:$LB_PORT"
rps() { # url [header]
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" ${2:+-H "$2"} "$1" 2>&1 | awk '/^Requests\/sec/ {print $2}'
}
echo
echo "scale-out: HAProxy -> 1..$HOSTS app hosts ($PROCS content.fcgi each), pages from a streaming replica"
printf '%-10s %22s %22s\n' "app hosts" "articles page req/s" "member posts req/s"
declare -A first
for n in $(seq 1 "$HOSTS"); do
    lb "$n"
    a=$(rps "$lbase/api/articles")
    b=$(rps "$lbase/api/blog-posts" "Authorization: Bearer $tok")
    [ "$n" = 1 ] && first[a]=$a first[b]=$b
    printf '%-10s %14s (x%4.2f) %14s (x%4.2f)\n' "$n" "$a" "$(awk -v x="$a" -v y="${first[a]}" 'BEGIN {print x / y}')" \
        "$b" "$(awk -v x="$b" -v y="${first[b]}" 'BEGIN {print x / y}')"
done
# Writes through every host, with the replica's replay lag sampled meanwhile.
cat >"$T/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $tok"
counter = 0
request = function()
    counter = counter + 1
    return wrk.format(nil, "/api/articles", nil,
        '{"data":{"title":"bench write ' .. counter .. ' ' .. math.random(1e9) .. '","content":"x"}}')
end
LUA
: >"$T/lag"
( while :; do
    psql -X -qtA "$DATABASE_URL" -c "SELECT coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0) || ' ' || coalesce(max(extract(epoch FROM replay_lag) * 1000), 0) FROM pg_stat_replication" >>"$T/lag" 2>/dev/null
    sleep 0.2
  done ) &
sampler=$!
w=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$T/post.lua" "$lbase" 2>&1 | awk '/^Requests\/sec/ {print $2}')
kill "$sampler"; wait "$sampler" 2>/dev/null
echo "writes (POST /api/articles through $HOSTS hosts): $w req/s; replica lag seen: at most" \
    "$(awk '$1 > b {b = $1} $2 > m {m = $2} END {printf "%d bytes behind, %.1f ms replay lag (%d samples)", b, m, NR}' "$T/lag")"
pg_stop "$T/pg2"
