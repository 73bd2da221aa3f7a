#!/usr/bin/env bash
# make bench: the suite under lighttpd on loopback, against a scratch,
# seeded Postgres, measured with wrk, next to two limits measured the same
# way on the same machine: lighttpd serving a static file (L1) and pgbench
# running the bare SELECT behind a page (L2), and next to the Strapi v5 app
# of the tutorial (tools/strapi-anchor/, started by tools/strapi-anchor.sh
# over the same seed in its own database), measured the same way in the same
# run.  Nothing is asserted: the numbers are for comparing builds, and
# against their targets, on one box.
#
#   make bench                        1,000 posts, 1,000 articles, 5 s per run
#   make bench SCALE=1000000          1,000,000 posts over 100 organizations
#   make bench DURATION=2s PROCS=2    every pool 2 processes instead of the shipped counts
#   make bench HOSTS=2                also 1 and 2 app hosts behind HAProxy, and replica lag
#   make bench STRAPI=0               without the Strapi anchor (which needs npm ci once:
#                                     about 700 MB in tools/strapi-anchor/node_modules)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. tools/pg.sh

DURATION=${DURATION:-5s}
SCALE=${SCALE:-1000}
HOSTS=${HOSTS:-1}
CONNECTIONS=${CONNECTIONS:-32}
PROCS=${PROCS:-}
STRAPI=${STRAPI:-1}
case $SCALE in '' | *[!0-9]*) echo "SCALE must be a number of blog posts" >&2; exit 2 ;; esac
[ "$SCALE" -ge 200 ] || { echo "SCALE must be at least 200" >&2; exit 2; }
case $PROCS in *[!0-9]*) echo "PROCS must be a number" >&2; exit 2 ;; esac
case $STRAPI in 0 | 1) ;; *) echo "STRAPI must be 0 (no Strapi anchor) or 1" >&2; exit 2 ;; esac

# pgbench takes whole seconds; wrk takes 5s, 1m, 2h.
secs() {
    case $1 in
    *ms) echo 1 ;;
    *s) echo "${1%s}" ;;
    *m) echo $((${1%m} * 60)) ;;
    *h) echo $((${1%h} * 3600)) ;;
    *) echo "$1" ;;
    esac
}
DURATION_S=$(secs "$DURATION")
case $DURATION_S in '' | *[!0-9]* | 0) echo "DURATION: use e.g. 5s or 1m" >&2; exit 2 ;; esac

for tool in wrk pgbench lighttpd node curl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        if [ "$tool" = wrk ] && [ "$(id -u)" = 0 ]; then
            echo "installing wrk..."
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null ||
                { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
        fi
        command -v "$tool" >/dev/null 2>&1 || { echo "bench needs $tool (make deps)" >&2; exit 1; }
    fi
done

# Processes per pool: what the shipped lighttpd.conf gives each pool
# (max-procs: a number, or var.wsc_cores, which it sets to the number of
# cores), unless PROCS sets every pool.
pools=$(awk -F'=>' -v cores="$(sh apache-conf/cores.sh)" '
    /"socket"/ && match($2, /workos-strapi-c-[a-z]+\.sock/) { n = substr($2, RSTART + 16, RLENGTH - 21) }
    /"max-procs"/ && n != "" { v = $2; if (v ~ /wsc_cores/) v = cores; gsub(/[^0-9]/, "", v); print n, v; n = "" }' apache-conf/lighttpd.conf)
[ -n "$pools" ] || { echo "no max-procs found in apache-conf/lighttpd.conf" >&2; exit 1; }
if [ -n "$PROCS" ]; then
    export MAX_PROCS=$PROCS
    procs_said="every pool $PROCS (PROCS)"
    CONTENT_PROCS=$PROCS
else
    procs_said=""
    while read -r pool n; do
        export "MAX_PROCS_$pool=$n"
        procs_said="$procs_said${procs_said:+, }$pool $n"
    done <<<"$pools"
    procs_said="$procs_said (max-procs of apache-conf/lighttpd.conf; PROCS=N sets every pool)"
    CONTENT_PROCS=$(awk '$1 == "content" {print $2}' <<<"$pools")
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/suite-bench.XXXXXX") && [ -d "$T" ] ||
    { echo "cannot make a scratch directory under ${TMPDIR:-/tmp}" >&2; exit 1; }
# (The postgres user must reach $T/pg; what holds a token or a secret goes
# in $S, the owner's only, never on a command line.)
chmod 755 "$T"
S=$T/private
mkdir -m 700 "$S" || exit 1
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

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f s", b - a}'; }

# The Strapi anchor's dependencies, before anything is measured.  Without
# them the bench goes on, and the table's Strapi columns say "-".
. tools/strapi-anchor.sh
strapi_why=
if [ "$STRAPI" = 0 ]; then
    strapi_why="skipped (STRAPI=0)"
elif ! strapi_install; then
    strapi_why="not measured: its dependencies could not be installed (npm ci in tools/strapi-anchor)"
fi

PG_PORT=$(free_port)
pg_init "$T/pg" && pg_start "$T/pg" "$PG_PORT" || exit 1
PG_ADMIN="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
psql -X -q "$PG_ADMIN" -c "CREATE DATABASE bench" -c "CREATE DATABASE drafts_short" \
    -c "CREATE DATABASE drafts_long" || exit 1
export DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/bench"
export JWT_SECRET="bench-secret-$(openssl rand -hex 16)"
# login.fcgi answers GET /api/auth/workos/login without calling WorkOS.
export WORKOS_API_KEY=sk_bench WORKOS_CLIENT_ID=client_bench \
    WORKOS_REDIRECT_URI="http://127.0.0.1/api/auth/workos/callback" \
    WORKOS_COOKIE_PASSWORD="$(openssl rand -hex 32)" WORKOS_API_BASE=http://127.0.0.1:9
export WORKOS_WEBHOOK_SECRET="bench-webhook-$(openssl rand -hex 16)"
./bin/migrate --dir sql >/dev/null || exit 1
for db in drafts_short drafts_long; do
    DATABASE_URL=${DATABASE_URL%/*}/$db ./bin/migrate --dir sql >/dev/null || exit 1
done

# The seed: SCALE blog posts over 100 organizations, post g in organization
# g mod 100, ids in runs of 100 alternately published and drafts (so half
# are published, in every organization); SCALE/10 articles, at least 1,000.
# One statement per table, no API.  An article's content is sized so that
# the default page of 25 (request a) is about 13.9 kB.
ARTICLES=$((SCALE / 10 < 1000 ? 1000 : SCALE / 10))
# The seed's rows, as SQL, into the tables articles and blog_posts, which
# the suite and the Strapi anchor both have: ARTICLES SCALE, then how a
# time is written (the suite: a timestamptz; Strapi: UTC without a zone)
# and a draft's published_at (the suite: NULL; Strapi: the time, since its
# drafts are a status, not draft & publish).
seed_rows() { # articles scale "AT TIME ZONE 'UTC'"|"" published_at-of-a-draft
    cat <<SQL
INSERT INTO articles (document_id, title, content, slug, created_at, updated_at, published_at)
SELECT 'a' || lpad(to_hex(g), 23, '0'), 'Article ' || g,
       'Article ' || g || ', body. ' || repeat('Lorem ipsum dolor sit amet, consectetur adipiscing. ', 6),
       'article-' || g, t, t, t
FROM generate_series(1, $1) g, LATERAL (SELECT (now() - g * interval '1 minute') $3 AS t) n;
INSERT INTO blog_posts (document_id, title, content, slug, organization_id, status,
                        created_at, updated_at, published_at)
SELECT 'b' || lpad(to_hex(g), 23, '0'), 'Post ' || g, repeat('text ', 50), 'post-' || g,
       'org_01BENCH' || lpad((g % 100 + 1)::text, 3, '0'),
       CASE WHEN (g / 100) % 2 = 0 THEN 'published' ELSE 'draft' END,
       t, t, CASE WHEN (g / 100) % 2 = 0 THEN t ELSE $4 END
FROM generate_series(1, $2) g, LATERAL (SELECT (now() - g * interval '1 second') $3 AS t) n;
SQL
}
# An HS256 JWT of the claims (a JSON object) plus iat and exp (lifetime
# seconds from now), signed with $JWT_SECRET (from the environment, never
# a command line).
hs256_jwt() { # claims-json lifetime
    node -e '
const c = require("crypto"), claims = JSON.parse(process.argv[1]), now = Math.floor(Date.now() / 1000);
const b = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const m = b({ alg: "HS256", typ: "JWT" }) + "." + b({ ...claims, iat: now, exp: now + Number(process.argv[2]) });
process.stdout.write(m + "." + c.createHmac("sha256", process.env.JWT_SECRET).update(m).digest("base64url"));
' "$1" "$2"
}
t0=$(now)
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<SQL || exit 1
SET maintenance_work_mem = '256MB';
INSERT INTO organizations (id) SELECT 'org_01BENCH' || lpad(g::text, 3, '0') FROM generate_series(1, 100) g;
$(seed_rows "$ARTICLES" "$SCALE" "" NULL)
ANALYZE;
SQL
seed_time=$(since "$t0")
ORG=org_01BENCH001
uid=$(psql -X -qtA "$DATABASE_URL" -c "INSERT INTO users (document_id, username, email, provider, confirmed, role_id) SELECT 'benchuser000000000000000', 'bench', 'bench@example.com', 'local', true, id FROM roles WHERE type = 'authenticated' RETURNING id")
psql -X -q "$DATABASE_URL" -c "INSERT INTO memberships (user_id, organization_id, role_slug) VALUES ($uid, '$ORG', 'member')" || exit 1
tok=$(./bin/token --id "$uid" --org "$ORG")
# A session, as a browser or API client signed in today holds: the JWT
# names it (sid) and its row is checked with the user in one round trip;
# its refresh token is the session id and a secret whose hash is stored.
sid=benchsession000000000000
secret=$(openssl rand 32 | openssl base64 -A | tr '+/' '-_' | tr -d '=')
hash=$(printf '%s' "$secret" | tr -- '-_' '+/' | sed 's/$/=/' | openssl base64 -d -A | openssl dgst -sha256 -hex | sed 's/.*= //')
psql -X -q "$DATABASE_URL" -c "INSERT INTO sessions (id, user_id, organization_id, refresh_hash, mode, idle_expires_at, expires_at)
    VALUES ('$sid', $uid, '$ORG', decode('$hash', 'hex'), 'api', now() + interval '1 day', now() + interval '1 day')" || exit 1
stok=$(hs256_jwt "{\"id\": $uid, \"organizationId\": \"$ORG\", \"sid\": \"$sid\"}" 3600)

# lighttpd: the suite's pools, and at / a document root holding only the
# static copy of answer a (L1).  The configuration holds the secrets (owner
# only); lighttpd's and the programs' own lines go to its log.
start_lighttpd() { # DIR PORT [VAR=value...]: sets lpid
    local dir=$1 port=$2
    shift 2
    mkdir -p "$dir/run" "$dir/www"
    (umask 077; env "$@" PORT="$port" RUN_DIR="$dir/run" DOC_ROOT="$dir/www" BIN_DIR="$ROOT" \
        bash tools/lighttpd-conf.sh >"$dir/run/lighttpd.conf") || return 1
    lighttpd -D -f "$dir/run/lighttpd.conf" 2>>"$dir/run/error.log" &
    lpid=$!
    pids+=("$lpid")
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && return 0; sleep 0.05; done
    echo "lighttpd did not answer on port $port; see $dir/run/error.log" >&2
    return 1
}
PORT=$(free_port)
start_lighttpd "$T/main" "$PORT" || exit 1
main_lpid=$lpid
base="http://127.0.0.1:$PORT"

# Memory of each program's processes (lighttpd's children), in MiB: VmRSS
# (shared libraries' pages included), RssAnon (the process's own) and Pss
# (its share of every page: what each process adds to the machine's use).
rss() { # FIELD -> lines "program MiB MiB ..."
    local p exe kb
    declare -A by
    for p in $(ps -o pid= --ppid "$main_lpid"); do
        exe=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | awk '{print $1}')
        # Pss (shared pages divided among their processes) is in smaps_rollup.
        kb=$(awk -v f="$1:" '$1 == f {print $2}' "/proc/$p/status" "/proc/$p/smaps_rollup" 2>/dev/null | head -n 1)
        [ -n "$exe" ] && [ -n "$kb" ] || continue
        by[${exe##*/}]+=" $(awk -v k="$kb" 'BEGIN {printf "%.1f", k / 1024}')"
    done
    for exe in content.fcgi login.fcgi; do echo "$exe${by[$exe]:-}"; done
}
# Before the load: the pools as lighttpd started them, after one request.
curl -s -o /dev/null "$base/api/articles"
rss_before=$(rss VmRSS) anon_before=$(rss RssAnon) pss_before=$(rss Pss)

# wrk: one run; sets RPS, P50, P99 (as wrk prints them) and BAD (answers
# that were not 2xx or 3xx, requests that timed out).  A request wrk gave
# up on (its run ended, or 10 s passed) may still be queued for a worker:
# the main pools are left to drain before the next run, so no run pays for
# the one before.
measure() { # connections url [header | "" script]
    local c=$1 out script=${4:-}
    if [ -n "${3:-}" ]; then
        script=$S/header.lua
        printf 'wrk.headers["%s"] = [==[%s]==]\n' "${3%%: *}" "${3#*: }" >"$script"
    fi
    out=$(wrk -t"$((c > 1 ? 2 : 1))" -c"$c" -d"$DURATION" --timeout 10s --latency \
        ${script:+-s "$script"} "$2" 2>&1)
    RPS=$(awk '/^Requests\/sec/ {printf "%d", $2 + 0.5}' <<<"$out")
    P50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    P99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    BAD=$(awk '/Non-2xx/ {print "not 2xx/3xx: " $NF} /Socket errors/ {sub(/^ */, ""); print}' <<<"$out" |
        paste -sd';' - | sed 's/;/; /g')
    [ -n "$RPS" ] || { RPS=0; BAD="wrk failed: $(tail -n 1 <<<"$out")"; }
    [ "$RPS" != 0 ] || { P50=-; P99=-; }
    drain
}
drain() { # (a minute at most; drain_url, when set, is the request that says so)
    local end=$((SECONDS + 60))
    while [ "$SECONDS" -lt "$end" ]; do
        awk '{exit !($1 < 0.2)}' <<<"$(curl -s -o /dev/null -m 5 -w '%{time_total}' "${drain_url:-$base/api/nothing}")" && return 0
        sleep 0.5
    done
}
ms() { # a wrk time (812.00us, 3.21ms, 1.02s, 1.5m) in ms
    awk -v t="$1" 'BEGIN {
        if (t !~ /^[0-9]/) {print "-"; exit}
        v = t + 0; u = t; sub(/^[0-9.]+/, "", u)
        if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000
        printf "%.2f", v }'
}

# Answer a, kept as the static file of L1 (the same bytes).
curl -sS -o "$T/main/www/articles.json" "$base/api/articles" || exit 1
a_bytes=$(wc -c <"$T/main/www/articles.json")
posts_total() { # [header]
    printf '%s\n' "${1:-X-Bench: 1}" >"$S/curl-header"
    curl -sS -H @"$S/curl-header" "$base/api/blog-posts" | node -e '
let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
  const j = JSON.parse(s); process.stdout.write(j.data.length + " of " + j.meta.pagination.total); });'; }
b_seen=$(posts_total)
c_seen=$(posts_total "Authorization: Bearer $stok")
doc=a$(printf '%023x' $((ARTICLES / 2)))
fq='filters%5Btitle%5D%5B%24containsi%5D=article%209&sort=title:desc&pagination%5Bpage%5D=2'
login_status=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/auth/workos/login")

labels=(
    "a GET /api/articles ($(awk -v n="$a_bytes" 'BEGIN {printf "%.1f", n / 1000}') kB)"
    "b GET /api/blog-posts ($b_seen published)"
    "c GET /api/blog-posts, session JWT ($c_seen)"
    "d GET /api/articles/:documentId"
    "e GET /api/auth/workos/login ($login_status)"
    "f GET /api/articles filter+sort+page 2"
)
urls=("$base/api/articles" "$base/api/blog-posts" "$base/api/blog-posts" "$base/api/articles/$doc"
    "$base/api/auth/workos/login" "$base/api/articles?$fq")
hdrs=("" "" "Authorization: Bearer $stok" "" "" "")
declare -a r1 p99_1 r32 p50_32 p99_32 bad
echo "seeded $SCALE blog posts over 100 organizations and $ARTICLES articles in $seed_time"
echo "processes per pool: $procs_said"
echo "measuring: wrk $DURATION per run, c=1 (1 thread) and c=$CONNECTIONS (2 threads), loopback, $(nproc) cores," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) at the start, $(date -u '+%Y-%m-%d %H:%M UTC')"
# One row at c=1 and at c=$CONNECTIONS: sets R1 P99_1 R32 P50_32 P99_32, and
# BADS (what wrk noted in either run).
measure_row() { # url header
    local b1
    measure 1 "$1" "$2"
    R1=$RPS P99_1=$P99 b1=$BAD
    measure "$CONNECTIONS" "$1" "$2"
    R32=$RPS P50_32=$P50 P99_32=$P99
    BADS="${b1:+c=1: $b1}${b1:+${BAD:+; }}${BAD:+c=$CONNECTIONS: $BAD}"
}
for i in "${!labels[@]}"; do
    printf '  %s\n' "${labels[$i]}" >&2
    measure_row "${urls[$i]}" "${hdrs[$i]}"
    r1[$i]=$R1 p99_1[$i]=$P99_1 r32[$i]=$R32 p50_32[$i]=$P50_32 p99_32[$i]=$P99_32 bad[$i]=$BADS
done
rss_after=$(rss VmRSS) anon_after=$(rss RssAnon) pss_after=$(rss Pss)

# L1: lighttpd alone, the bytes of answer a as a static file.
measure "$CONNECTIONS" "$base/articles.json"
L1=$RPS L1_p50=$P50 L1_p99=$P99
# L2: Postgres alone, the statement a page of anonymous blog posts needs
# at its least: the columns the API returns, its default order, 25 rows.
# (pgbench reads :name as a variable, so the format's colons are \072.)
cat >"$S/l2.sql" <<'SQL'
SELECT id, document_id, title, content, slug, organization_id, status, to_char(created_at AT TIME ZONE 'UTC', E'YYYY-MM-DD"T"HH24\072MI\072SS.MS"Z"') AS created_at, to_char(updated_at AT TIME ZONE 'UTC', E'YYYY-MM-DD"T"HH24\072MI\072SS.MS"Z"') AS updated_at, to_char(published_at AT TIME ZONE 'UTC', E'YYYY-MM-DD"T"HH24\072MI\072SS.MS"Z"') AS published_at FROM blog_posts WHERE status = 'published' ORDER BY id ASC LIMIT 25;
SQL
l2out=$(pgbench -n -M extended -c "$CONNECTIONS" -j 2 -T "$DURATION_S" -f "$S/l2.sql" \
    -h 127.0.0.1 -p "$PG_PORT" -U postgres bench 2>&1)
L2=$(awk '/^tps = / {printf "%d", $3 + 0.5; exit}' <<<"$l2out")
L2_lat=$(awk '/^latency average/ {print $4 " " $5}' <<<"$l2out")
[ -n "$L2" ] || { echo "pgbench failed: $(tail -n 3 <<<"$l2out")" >&2; L2=0; }
# L2f: Postgres alone, the least SQL that answers f: the filter over every
# title, its exact total, the order, the second page.  f's own limit: what
# the filter costs Postgres, which no layer above it can take away.
cat >"$S/l2f.sql" <<'SQL'
SELECT count(*) OVER () AS total, id, document_id, title, content, slug, created_at, updated_at, published_at FROM articles WHERE strpos(lower(title), 'article 9') > 0 ORDER BY title DESC, id ASC LIMIT 25 OFFSET 25;
SQL
l2fout=$(pgbench -n -M extended -c "$CONNECTIONS" -j 2 -T "$DURATION_S" -f "$S/l2f.sql" \
    -h 127.0.0.1 -p "$PG_PORT" -U postgres bench 2>&1)
L2f=$(awk '/^tps = / {printf "%d", $3 + 0.5; exit}' <<<"$l2fout")
[ -n "$L2f" ] || { echo "pgbench (L2f) failed: $(tail -n 3 <<<"$l2fout")" >&2; L2f=0; }

# L1f: lighttpd and the least a FastCGI program of the suite can do, a
# fixed 302 (bin/bench-null: the suite's FastCGI loop, request parsing and
# response writing, nothing else), in as many processes as the login pool,
# on a lighttpd of its own.  e's own limit: what proxying a request to a
# program costs lighttpd and the kernel, which no program can take away.
mkdir -p "$T/l1f/www"
l1f_port=$(free_port)
cat >"$T/l1f/lighttpd.conf" <<CONF
server.modules = ("mod_fastcgi")
server.document-root = "$T/l1f/www"
server.bind = "127.0.0.1"
server.port = $l1f_port
server.errorlog = "$T/l1f/error.log"
fastcgi.server = ("/api/auth/workos/login" => ((
    "bin-path" => "$ROOT/bin/bench-null",
    "socket" => "$T/l1f/null.sock",
    "check-local" => "disable",
    "max-procs" => ${MAX_PROCS_login:-${MAX_PROCS:-2}}
)))
CONF
lighttpd -D -f "$T/l1f/lighttpd.conf" 2>>"$T/l1f/error.log" &
pids+=("$!")
L1f=0 L1f_p99=-
l1f_url="http://127.0.0.1:$l1f_port/api/auth/workos/login"
for _ in $(seq 1 100); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$l1f_url")" = 302 ]; then
        measure "$CONNECTIONS" "$l1f_url"
        L1f=$RPS L1f_p99=$P99
        break
    fi
    sleep 0.05
done
[ "$L1f" != 0 ] || echo "L1f: lighttpd with bin/bench-null did not answer 302; see $T/l1f/error.log" >&2
kill "${pids[-1]}" 2>/dev/null

ratio() { awk -v x="$1" -v y="$2" 'BEGIN {if (y > 0) printf "%.2f", x / y; else print "-"}'; }
yn() { awk -v x="$1" -v op="$2" -v y="$3" 'BEGIN {
    if (x !~ /^[0-9.]+$/) {print "no answers"; exit}
    ok = (op == ">=") ? x >= y : x <= y; print ok ? "met" : "MISSED"}'; }

# The Strapi anchor: the tutorial's app under Strapi itself, over the same
# seed (its own database of this Postgres), rows a-f measured the same way.
# Started only now, and stopped right after, so that it weighs on nothing
# else.  Its answers are checked against the suite's first.
list_seen() { # url [header] -> "entries total organizations documentIds"
    printf '%s\n' "${2:-X-Bench: 1}" >"$S/curl-header"
    curl -sS -H @"$S/curl-header" "$1" | node -e '
let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
  try {
    const j = JSON.parse(s), d = Array.isArray(j.data) ? j.data : [];
    const orgs = [...new Set(d.map((e) => e.organizationId).filter(Boolean))].join(",");
    process.stdout.write([d.length, j.meta?.pagination?.total ?? "?", orgs || "-",
      d.map((e) => e.documentId).join(",") || "-"].join(" "));
  } catch (e) { process.stdout.write("? ? - -"); } });'
}
same() { [ "$1" = "$2" ] && echo yes || echo NO; }
declare -a slabels sr1 sp99_1 sr32 sp50_32 sp99_32 sbad
surls=() shdrs=() strapi_rss=
if [ -z "$strapi_why" ]; then
    echo "Strapi anchor: starting Strapi over the same seed..." >&2
    if strapi_start "$ARTICLES" "$SCALE" "$ORG"; then
        sbase=$STRAPI_BASE
        read -r _ _ _ a_ids <<<"$(list_seen "$base/api/articles")"
        read -r _ _ _ f_ids <<<"$(list_seen "$base/api/articles?$fq")"
        read -r _ b_total _ _ <<<"$(list_seen "$base/api/blog-posts")"
        read -r sa_n sa_t _ sa_ids <<<"$(list_seen "$sbase/api/articles")"
        sa_bytes=$(curl -sS "$sbase/api/articles" | wc -c)
        read -r sb_n sb_t _ _ <<<"$(list_seen "$sbase/api/blog-posts")"
        read -r sc_n sc_t sc_orgs _ <<<"$(list_seen "$sbase/api/blog-posts" "Authorization: Bearer $STRAPI_JWT")"
        sd=$(curl -sS -o "$S/strapi-d.json" -w '%{http_code}' "$sbase/api/articles/$doc")
        grep -q "\"documentId\":\"$doc\"" "$S/strapi-d.json" && sd="$sd, the document" || sd="$sd, NOT the document"
        se=$(curl -sS -o /dev/null -w '%{http_code} to %{redirect_url}' "$sbase/api/auth/workos/login")
        read -r sf_n sf_t _ sf_ids <<<"$(list_seen "$sbase/api/articles?$fq")"
        [ "$sc_orgs" = "$ORG" ] && sc_orgs="all of $ORG" || sc_orgs="organizations: $sc_orgs (expected only $ORG)"
        slabels=(
            "a GET /api/articles ($(awk -v n="$sa_bytes" 'BEGIN {printf "%.1f", n / 1000}') kB, $sa_n of $sa_t; the suite's entries: $(same "$sa_ids" "$a_ids"))"
            "b GET /api/blog-posts ($sb_n of $sb_t published; the suite's total: $(same "$sb_t" "$b_total"))"
            "c GET /api/blog-posts, member JWT ($sc_n of $sc_t, $sc_orgs)"
            "d GET /api/articles/:documentId ($sd)"
            "e GET /api/auth/workos/login (${se%%\?*})"
            "f GET /api/articles filter+sort+page 2 ($sf_n of $sf_t; the suite's entries: $(same "$sf_ids" "$f_ids"))"
        )
        surls=("$sbase/api/articles" "$sbase/api/blog-posts" "$sbase/api/blog-posts" "$sbase/api/articles/$doc"
            "$sbase/api/auth/workos/login" "$sbase/api/articles?$fq")
        shdrs=("" "" "Authorization: Bearer $STRAPI_JWT" "" "" "")
        # Strapi goes on with the queries of requests wrk gave up on, queued
        # for its pool of database connections: it has drained when a
        # request that queries (a 404 of findOne) is quick again.
        drain_url=$sbase/api/articles/nothing
        for i in "${!slabels[@]}"; do
            printf '  Strapi %s\n' "${slabels[$i]}" >&2
            measure_row "${surls[$i]}" "${shdrs[$i]}"
            sr1[$i]=$R1 sp99_1[$i]=$P99_1 sr32[$i]=$R32 sp50_32[$i]=$P50_32 sp99_32[$i]=$P99_32 sbad[$i]=$BADS
        done
        drain_url=
        strapi_rss=$(awk '$1 == "VmRSS:" {printf "%.0f", $2 / 1024}' "/proc/$STRAPI_PID/status" 2>/dev/null)
        strapi_stop
    else
        strapi_stop
        strapi_why="not measured: Strapi could not be started or seeded (above)"
    fi
fi

echo
line() { printf '%-50s %9s %9s %10s %9s %9s %12s %12s  %-12s %s\n' "$@"; }
line "request" "c=1 req/s" "c=1 p99" "c=$CONNECTIONS req/s" "p50" "p99" "Strapi req/s" "suite/Strapi" "ratio" "target (c=$CONNECTIONS)"
for i in "${!labels[@]}"; do
    sq=$(ratio "${r32[$i]}" "${sr32[$i]:-0}")
    if [ "$i" = 4 ]; then
        q=$(ratio "${r32[$i]}" "$L1")
        line "${labels[$i]}" "${r1[$i]}" "${p99_1[$i]}" "${r32[$i]}" "${p50_32[$i]}" "${p99_32[$i]}" \
            "${sr32[$i]:--}" "$sq" "$q of L1" "≥0.5 of L1: $(yn "$q" ">=" 0.5)"
    else
        q=$(ratio "${r32[$i]}" "$L2")
        line "${labels[$i]}" "${r1[$i]}" "${p99_1[$i]}" "${r32[$i]}" "${p50_32[$i]}" "${p99_32[$i]}" \
            "${sr32[$i]:--}" "$sq" "$q of L2" "≥0.6 of L2: $(yn "$q" ">=" 0.6); p99 ≤10 ms: $(yn "$(ms "${p99_32[$i]}")" "<=" 10)"
    fi
    [ -z "${bad[$i]}" ] || echo "    (wrk: ${bad[$i]})"
done
echo "L1 lighttpd static file, the $a_bytes bytes of a, c=$CONNECTIONS: $L1 req/s (p50 $L1_p50, p99 $L1_p99)"
echo "L2 pgbench -M extended -c $CONNECTIONS -j 2 -T $DURATION_S, the bare SELECT of 25 published posts: $L2 tps (latency average $L2_lat)"
echo "L2f the same, f's filter, total, order and page 2 in bare SQL: $L2f tps (f is $(ratio "${r32[5]}" "$L2f") of it)"
echo "L1f lighttpd and a FastCGI program answering a fixed 302 (bin/bench-null), c=$CONNECTIONS: $L1f req/s, p99 $L1f_p99 (e is $(ratio "${r32[4]}" "$L1f") of it)"
if [ -n "$strapi_why" ]; then
    echo "Strapi anchor: $strapi_why"
else
    echo "Strapi anchor (tools/strapi-anchor, the tutorial's app): $STRAPI_SAID; $STRAPI_INSTALL_SAID;" \
        "RSS after a-f ${strapi_rss:-?} MiB.  Its member reads their organization's posts (the tutorial's scope):"
    printf '  %-100s %9s %9s %10s %9s %9s\n' "Strapi" "c=1 req/s" "c=1 p99" "c=$CONNECTIONS req/s" "p50" "p99"
    for i in "${!slabels[@]}"; do
        printf '  %-100s %9s %9s %10s %9s %9s\n' "${slabels[$i]}" "${sr1[$i]}" "${sp99_1[$i]}" "${sr32[$i]}" "${sp50_32[$i]}" "${sp99_32[$i]}"
        [ -z "${sbad[$i]}" ] || echo "    (wrk: ${sbad[$i]})"
    done
fi
echo "RSS per process, MiB (target ≤8 MiB each), before the load -> after a-f" \
    "(login.fcgi: the login and logout pools):"
mem() { # label before after: one line per program
    local exe before after max
    while read -r exe before; do
        after=$(awk -v e="$exe" '$1 == e {$1 = ""; print}' <<<"$3")
        max=$(echo "$before $after" | tr ' ' '\n' | sort -n | tail -n 1)
        printf '  %-13s %-7s %s ->%s  (largest %s MiB%s)\n' "$exe" "$1" "${before:-none}" "${after:-none}" \
            "${max:--}" "${4:+: $(yn "${max:-0}" "<=" 8)}"
    done <<<"$2"
}
mem VmRSS "$rss_before" "$rss_after" target
mem RssAnon "$anon_before" "$anon_after"
mem Pss "$pss_before" "$pss_after"

# More of the suite, at c=$CONNECTIONS unless said.
echo
printf '%-58s %9s %9s %9s\n' "more requests" "req/s" "p50" "p99"
more() { # label connections url [header] [script]
    measure "${@:2}"
    printf '%-58s %9s %9s %9s\n' "$1" "$RPS" "$P50" "$P99"
    [ -z "$BAD" ] || [ "${1%% *}" = 404 ] || echo "    (wrk: $BAD)"
}
more "GET /api/health" "$CONNECTIONS" "$base/api/health"
more "GET /api/users/me (JWT + user reload)" "$CONNECTIONS" "$base/api/users/me" "Authorization: Bearer $tok"
more "GET /api/users/me (session JWT: user + session)" "$CONNECTIONS" "$base/api/users/me" "Authorization: Bearer $stok"
more "GET /api/blog-posts (member, JWT without a session)" "$CONNECTIONS" "$base/api/blog-posts" "Authorization: Bearer $tok"
more "404 GET /api/nothing (the JSON envelope)" "$CONNECTIONS" "$base/api/nothing"
# A wrk script for url (with header, if any) whose every request adds a
# query key of its own, nocache=<n> (ignored, as Strapi ignores unknown
# keys): the statement is url's, but no process has its answer, and it is
# built, and kept, every time.  Written to $S/miss.lua.
miss_script() { # url [header]
    local path=/${1#http://*/} h=${2:-}
    {
        [ -z "$h" ] || printf 'wrk.headers["%s"] = [==[%s]==]\n' "${h%%: *}" "${h#*: }"
        cat <<LUA
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, [==[$path]==] .. "$([ "${path#*\?}" != "$path" ] && echo '&' || echo '?')nocache=" .. n)
end
LUA
    } >"$S/miss.lua"
}
# Rows a, b, c, d and f with no answer kept.
miss() { # label row-index
    miss_script "${urls[$2]}" "${hdrs[$2]}"
    more "$1" "$CONNECTIONS" "${urls[$2]}" "" "$S/miss.lua"
}
miss "a, no answer kept (each URL new)" 0
miss "b, no answer kept" 1
miss "c, no answer kept" 2
miss "d, no answer kept" 3
miss "f, no answer kept" 5
# Refreshes, each rotating the refresh token (one connection: a token is
# good for one refresh).
cat >"$S/refresh.lua" <<LUA
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
more "POST /api/auth/refresh (rotating, 1 connection)" 1 "$base/api/auth/refresh" "" "$S/refresh.lua"
# Webhooks: signed user.updated deliveries for a signed-in user, each a new
# event id with a later version (wrk replays the list when it runs out:
# those are then duplicates, answered from the id alone).
if [ -x cgi-bin/webhook.fcgi ]; then
    psql -X -q "$DATABASE_URL" -c "UPDATE users SET workos_user_id = 'user_01BENCH' WHERE id = $uid"
    node - 10000 >"$S/webhooks.lua" <<'JS'
const crypto = require('crypto');
const [secret, n] = [process.env.WORKOS_WEBHOOK_SECRET, Number(process.argv[2])];
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
    more "POST /api/webhooks/workos (signed)" "$CONNECTIONS" "$base/api/webhooks/workos" "" "$S/webhooks.lua"
fi

# Hidden rows must not cost anything: an anonymous filtered list whose
# answer is always empty, over 20,000 blog posts of which 10,000 are
# another organization's drafts, timed where those drafts hold short text
# and where each holds 100 kB of "a" (a text the pattern nearly matches
# everywhere).  The scope is applied before the caller's filter, so the
# filter never reads a hidden row and the two timings should be close.
# Each case is its own database (the tables above stay as they were) behind
# its own lighttpd, and the two are timed in turns, so that what else the
# machine does meanwhile weighs on both alike.  The drafts come after the
# published posts, so the published posts sit in the same pages in both
# (100 kB of "a" compresses to about 1 kB, which Postgres keeps in the row
# itself: interleaved, the drafts would spread the published posts over
# twice the pages, a cost of the table's layout, not of the filter).
fill_drafts() { # database, SQL expression of a hidden draft's content
    psql -X -q -v ON_ERROR_STOP=1 "${DATABASE_URL%/*}/$1" <<SQL
INSERT INTO organizations (id) VALUES ('org_01PUBLIC'), ('org_01HIDDEN');
INSERT INTO blog_posts (document_id, title, content, slug, organization_id, status, published_at)
SELECT 'h' || lpad(to_hex(g), 23, '0'), 'Post ' || g,
       CASE WHEN g <= 10000 THEN repeat('text ', 50) ELSE $2 END, 'post-' || g,
       CASE WHEN g <= 10000 THEN 'org_01PUBLIC' ELSE 'org_01HIDDEN' END,
       CASE WHEN g <= 10000 THEN 'published' ELSE 'draft' END,
       CASE WHEN g <= 10000 THEN now() END
FROM generate_series(1, 20000) g;
VACUUM ANALYZE blog_posts;
CHECKPOINT;
SQL
}
fill_drafts drafts_short "repeat('text ', 50)" || exit 1
t0=$(now)
fill_drafts drafts_long "repeat('a', 100000)" || exit 1
long_time=$(since "$t0")
pattern="$(head -c 249 /dev/zero | tr '\0' a)b"
one=$(for p in $(awk '{print $1}' <<<"$pools"); do echo "MAX_PROCS_$p=1"; done)
declare -A durl
for db in drafts_short drafts_long; do
    # shellcheck disable=SC2086
    start_lighttpd "$T/$db" "$(free_port)" DATABASE_URL="${DATABASE_URL%/*}/$db" $one MAX_PROCS=1 || exit 1
    durl[$db]="http://127.0.0.1:$(awk '/^server.port/ {print $3}' "$T/$db/run/lighttpd.conf")/api/blog-posts?filters%5Bcontent%5D%5B%24contains%5D=$pattern"
    for _ in $(seq 1 20); do curl -s -o /dev/null "${durl[$db]}"; done
done
empty=$(for db in drafts_short drafts_long; do curl -sS "${durl[$db]}"; echo; done | node -e '
let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
  const ok = s.trim().split("\n").every((l) => { const j = JSON.parse(l); return j.data.length === 0 && j.meta.pagination.total === 0; });
  process.stdout.write(ok ? "yes" : "NO"); });')
declare -A p50s rpss
for _ in 1 2 3; do
    for db in drafts_short drafts_long; do
        # Each request new: the filter's cost, not a kept answer's.
        miss_script "${durl[$db]}"
        measure 1 "${durl[$db]}" "" "$S/miss.lua"
        p50s[$db]+=" $(ms "$P50")"
        rpss[$db]+=" $RPS"
        [ -z "$BAD" ] || echo "  ($db, wrk: $BAD)"
    done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
echo
echo "hidden rows: anonymous GET /api/blog-posts?filters[content][\$contains]=<249 \"a\" then \"b\">, c=1"
echo "  20,000 posts, 10,000 of them another organization's drafts; both answers empty: $empty"
printf '  %-40s %-26s %10s %8s\n' "the hidden drafts hold" "p50 ms, 3 runs in turns" "median p50" "req/s"
printf '  %-40s %-26s %10s %8s\n' "250 bytes of ordinary text" "${p50s[drafts_short]# }" \
    "$(median <<<"${p50s[drafts_short]}") ms" "$(median <<<"${rpss[drafts_short]}")"
printf '  %-40s %-26s %10s %8s\n' "100 kB of \"a\" each (written in $long_time)" "${p50s[drafts_long]# }" \
    "$(median <<<"${p50s[drafts_long]}") ms" "$(median <<<"${rpss[drafts_long]}")"
echo "  the answer must not depend on hidden rows: the median p50s' ratio is" \
    "$(ratio "$(median <<<"${p50s[drafts_long]}")" "$(median <<<"${p50s[drafts_short]}")") (should be close to 1)"

# HOSTS=2 (or more): the same content reads through HAProxy in front of 1..HOSTS
# app hosts (each a lighttpd with the same pools, reading pages from a
# streaming replica), then a write load through all of them while the
# primary's view of the replica's replay lag is sampled.  On one machine the
# hosts share its cores, so the ratio says what the balancer and a second
# web server cost or give here, not what a second machine would give.
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
    start_lighttpd "$T/host$h" "$hp" DATABASE_READ_URL="$READ_URL" || exit 1
    hports+=("$hp")
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
    pids+=("$hapid")
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$LB_PORT/api/health" && break; sleep 0.05; done
}
lbase="http://127.0.0.1:$LB_PORT"
echo
echo "scale-out: HAProxy -> 1..$HOSTS app hosts ($CONTENT_PROCS content.fcgi each), pages from a streaming replica, c=$CONNECTIONS"
printf '%-10s %22s %22s\n' "app hosts" "articles page req/s" "member posts req/s"
declare -A first
for n in $(seq 1 "$HOSTS"); do
    lb "$n"
    measure "$CONNECTIONS" "$lbase/api/articles"
    a=$RPS
    measure "$CONNECTIONS" "$lbase/api/blog-posts" "Authorization: Bearer $tok"
    b=$RPS
    [ "$n" = 1 ] && first[a]=$a first[b]=$b
    printf '%-10s %14s (x%4.2f) %14s (x%4.2f)\n' "$n" "$a" "$(ratio "$a" "${first[a]}")" "$b" "$(ratio "$b" "${first[b]}")"
done
# Writes through every host, with the replica's replay lag sampled meanwhile.
cat >"$S/post.lua" <<LUA
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
pids+=("$sampler")
measure "$CONNECTIONS" "$lbase" "" "$S/post.lua"
kill "$sampler"; wait "$sampler" 2>/dev/null
echo "writes (POST /api/articles through $HOSTS hosts): $RPS req/s; replica lag seen: at most" \
    "$(awk '$1 > b {b = $1} $2 > m {m = $2} END {printf "%d bytes behind, %.1f ms replay lag (%d samples)", b, m, NR}' "$T/lag")"
