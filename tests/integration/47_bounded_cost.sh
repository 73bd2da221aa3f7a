# Bounded cost and tenant isolation: no request can hold a worker for
# long, and a caller's filter never runs on rows the caller may not see.
# Outcomes only (status, envelope, which filter a plan applies first):
# how fast things are is for make bench.

lighttpd_stop
export MAX_PROCS=2
lighttpd_start || t_fail "lighttpd restarts with two content workers"

jwt=$(token --email cost@example.com --create)
big=$T_RUN/big.json
# 1 MB of "a": the text a pathological LIKE has to walk.
head -c 1000000 /dev/zero | tr '\0' a >"$T_RUN/a.txt"
jq -nc --rawfile c "$T_RUN/a.txt" '{data: {title: "Big", content: $c}}' >"$big"
req POST /api/articles -H "Authorization: Bearer $jwt" -H 'Content-Type: application/json' --data-binary "@$big"
expect_status "an article with 1 MB of text is created" 201

# 1. Bounds: 400 at once, whatever the text.
long_q="$(head -c 7000 /dev/zero | tr '\0' a)b"
req GET "/api/articles?_q=$long_q&fields=title"
expect_error "a 7,001-character _q is refused by its bound" 400 ValidationError
expect_json "the error names _q" '.error.details.param == "_q" or (.error.details|tostring|contains("_q"))'
req GET "/api/articles?filters[content][\$contains]=$long_q&fields=title"
expect_error "a 7,001-character \$contains is refused by its bound" 400 ValidationError
expect_json "the error says the bound" '.error.message | contains("at most 256 characters")'
req GET "/api/blog-posts?filters[content][\$containsi]=$long_q"
expect_error "the same bound holds on blog posts" 400 ValidationError
w256="$(head -c 255 /dev/zero | tr '\0' a)b"
# (With a token: over 1 MB of text this one read may take longer than the
# anonymous budget on a loaded machine; what is checked here is the bound.)
req GET "/api/articles?_q=$w256&fields=title" -H "Authorization: Bearer $jwt"
expect_status "a 256-character _q is allowed" 200

# 2. Text matches run in linear time: 32 patterns of 256 characters that
# almost match 1 MB each (as LIKE, seconds of backtracking each) are
# answered within an anonymous budget of 5 s, which linear matching (32 MB
# read) stays far inside even on a loaded machine, and backtracking far
# outside.
lighttpd_stop
READ_TIMEOUT=5s lighttpd_start || t_fail "lighttpd restarts with READ_TIMEOUT=5s"
patq() { # N FIELD OP: N distinct 256-character patterns, one $or branch each
    # (none matches "aaa...", in any case: the last character is never an a)
    local q="" i alphabet=bcdefghijklmnopqrstuvwxyz0123456789BCDEFGHIJKLMNOPQRSTUVWXYZ
    for i in $(seq 0 $(($1 - 1))); do
        q="$q&filters[\$or][$i][$2][$3]=$(head -c 255 /dev/zero | tr '\0' a)${alphabet:$i:1}"
    done
    printf 'fields[0]=title%s' "$q"
}
req GET "/api/articles?$(patq 32 content \$contains)"
expect_status "32 near-matching patterns over 1 MB are answered (linear-time matching)" 200
expect_json "... and match nothing" '(.data|length) == 0 and .meta.pagination.total == 0'
doc=$(psql_q "SELECT document_id FROM articles WHERE title = 'Big'")
req GET "/api/articles/$doc?$(patq 32 content \$notContainsi)"
expect_status "the same on one entry (findOne), case-insensitive" 200
req GET "/api/articles?$(patq 33 content \$contains)"
expect_error "a 33rd text match is refused by its bound" 400 ValidationError
expect_json "... saying so" '.error.message | contains("at most 32 text matches")'
req GET "/api/articles?$(patq 20 title \$endsWith)"
expect_status "suffix matches are answered" 200

# 3. The time budget: with READ_TIMEOUT at its least (10 ms) an anonymous
# read over 1 MB is cancelled by Postgres: 503 with Retry-After, and the
# connection serves the next request.
lighttpd_stop
READ_TIMEOUT=10ms lighttpd_start || t_fail "lighttpd restarts with READ_TIMEOUT=10ms"
slowq=$(patq 32 content \$containsi)
curl -gsS -o "$T_RUN/slow.body" -D "$T_RUN/slow.hdrs" -w '%{http_code}' \
    "http://127.0.0.1:$HTTP_PORT/api/articles?$slowq" >"$T_RUN/slow.status" &
slow_pid=$!
req GET /api/health
expect_status "/api/health answers on another worker meanwhile" 200
wait "$slow_pid"
STATUS=$(cat "$T_RUN/slow.status"); BODY=$(cat "$T_RUN/slow.body")
expect_error "a read past the anonymous time budget is 503" 503 ServiceUnavailableError
check "with Retry-After" grep -qi '^Retry-After: 1' "$T_RUN/slow.hdrs"
# The cancelled statement ran in the same pipeline as the SET of the budget
# (one implicit transaction): the budget must hold for the next reads too.
held=0
for i in 1 2 3 4; do
    req GET "/api/articles?$slowq"
    [ "$STATUS" = 503 ] && held=$((held + 1))
done
check "every later slow anonymous read is cut by the budget too (4 of 4)" test "$held" = 4
req GET "/api/articles?fields[0]=title&filters[title][\$eq]=Big" -H "Authorization: Bearer $jwt"
expect_json "the next request is served normally" '.data[0].title == "Big" and .meta.pagination.total == 1'
for i in 1 2 3; do
    req GET "/api/articles?pagination[pageSize]=1&fields[0]=title"
    [ "$STATUS" = 200 ] || [ "$STATUS" = 503 ] || break
done
check "the cancelled statement left every connection usable (200 or the budget's 503)" \
    bash -c "[ '$STATUS' = 200 ] || [ '$STATUS' = 503 ]"
req GET "/api/articles?$slowq" -H "Authorization: Bearer $jwt"
expect_status "an authenticated read gets the longer budget and completes" 200
# A signed-in caller's own check runs under the anonymous budget (the
# caller is not known before it); waiting past it, here on a lock, is run
# again with the signed-in budget, not refused.
hold_lock memberships 1 || t_fail "a lock on memberships is taken"
req GET "/api/articles?pagination[pageSize]=1&fields[0]=title"
expect_status "while memberships is locked, an anonymous read (which reads no membership) is served" 200
req GET "/api/articles?pagination[pageSize]=1&fields[0]=title" -H "Authorization: Bearer $jwt"
expect_status "a signed-in read whose token check waits past the anonymous budget (a lock) answers 200" 200
wait "$lock_pid"
# /api/health, which anyone may call, has the anonymous budget whatever the
# worker's last request was: a blocked database fails it at once.
req GET "/api/articles?pagination[pageSize]=1" -H "Authorization: Bearer $jwt"
hold_lock workos_sync_state 3 || t_fail "a lock on workos_sync_state is taken"
h503=0
for i in 1 2; do
    req GET /api/health
    [ "$STATUS" = 503 ] && h503=$((h503 + 1))
done
check "/api/health blocked past READ_TIMEOUT answers 503 (2 of 2)" test "$h503" = 2
check "... at once, before the lock is released" kill -0 "$lock_pid"
wait "$lock_pid"
req GET /api/health
expect_status "... and 200 once it is" 200
check "the budget was logged, without the query" bash -c "grep -q 'ran out of its time budget' '$T_RUN/error.log' && ! grep -q aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa '$T_RUN/error.log'"
lighttpd_stop
lighttpd_start || t_fail "lighttpd restarts with the default budget"

# 4. One pass: a page past the end still reports the total (no second count).
req GET "/api/articles?pagination[page]=50&filters[title][\$eq]=Big"
expect_json "a page past the end is empty and counted" '(.data|length) == 0 and .meta.pagination.total == 1'
req GET "/api/articles?pagination[page]=50"
expect_json "an unfiltered page past the end is counted too" '(.data|length) == 0 and .meta.pagination.total == 1'

# 5. The tenant scope is applied before any caller predicate, in the plan
# Postgres runs: auto_explain logs the plans of this suite's database.
db=${DATABASE_URL##*/}
psql_q "INSERT INTO organizations (id) VALUES ('org_01HIDDEN'), ('org_01MINE') ON CONFLICT DO NOTHING" >/dev/null
psql_q "INSERT INTO blog_posts (document_id, title, content, organization_id, status)
        SELECT 'hiddendraft' || lpad(g::text, 13, '0'), 'Draft ' || g, 'secret plan ' || g, 'org_01HIDDEN', 'draft'
        FROM generate_series(1, 200) g" >/dev/null
# A table the size of a real one, with its statistics, so that the plans
# below are the ones Postgres picks when it matters.
psql_q "INSERT INTO blog_posts (document_id, title, content, organization_id, status, published_at)
        SELECT 'publicpost' || lpad(g::text, 14, '0'), 'Public ' || g, 'public text ' || g, 'org_01MINE', 'published', now()
        FROM generate_series(1, 5000) g" >/dev/null
psql_q "ANALYZE blog_posts" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 "$PG_ADMIN_URL" \
    -c "ALTER DATABASE \"$db\" SET session_preload_libraries = 'auto_explain'" \
    -c "ALTER DATABASE \"$db\" SET auto_explain.log_min_duration = 0" \
    -c "ALTER DATABASE \"$db\" SET auto_explain.log_level = 'log'" >/dev/null
lighttpd_stop; lighttpd_start
pglog="$T_BASE/pg/postgres.log"
plan_of() { # NAME URL [curl args]: the plan of the list statement the request ran
    local mark
    mark=$(wc -l <"$pglog")
    req GET "$2" "${@:3}"
    expect_status "$1: answered" 200
    # The plan lines of our statement: from its Query Text to the next log line.
    tail -n +"$((mark + 1))" "$pglog" | awk '/Query Text: WITH m AS MATERIALIZED/ {on=1; next} on && /^[0-9]{4}-/ {exit} on {print}' >"$T_RUN/plan"
}
scope_first() { # the caller's LIKE is a filter above the scan that applies the scope
    local like scope
    like=$(grep -n 'strpos' "$T_RUN/plan" | head -1 | cut -d: -f1)
    scope=$(grep -n "status = 'published'" "$T_RUN/plan" | head -1 | cut -d: -f1)
    [ -n "$like" ] && [ -n "$scope" ] && [ "$like" -lt "$scope" ] &&
        ! grep -q "strpos.*status = 'published'\|status = 'published'.*strpos" "$T_RUN/plan"
}
plan_of "anonymous filtered list" "/api/blog-posts?filters[content][\$contains]=secret"
check "anonymous: the plan applies the scope below (before) the caller's LIKE" scope_first
expect_json "anonymous: no hidden draft matches" '.meta.pagination.total == 0'
member=$(mkuser member@mine.example)
psql_q "INSERT INTO memberships (user_id, organization_id, role_slug) VALUES ($member, 'org_01MINE', 'member')" >/dev/null
mjwt=$(token --id "$member" --org org_01MINE)
plan_of "member filtered list" "/api/blog-posts?filters[content][\$containsi]=secret&filters[title][\$startsWith]=D" -H "Authorization: Bearer $mjwt"
check "member: the plan applies the scope before the caller's LIKE" scope_first
expect_json "member: another organization's drafts stay invisible" '.meta.pagination.total == 0'
check "the plan reads through the view scoped by the request's organization setting" \
    grep -q "current_setting('app.organization_id'" "$T_RUN/plan"

# An unfiltered page reads the scope's index in order and stops at the
# page: no sort of every visible row (which grows with the table).
page_plan() { # URL [curl args]: the plan of the unfiltered page statement
    local mark
    mark=$(wc -l <"$pglog")
    req GET "$@"
    tail -n +"$((mark + 1))" "$pglog" |
        awk '/Query Text: SELECT \(SELECT coalesce/ {on=1; next} on && /^[0-9]{4}-/ {exit} on {print}' >"$T_RUN/plan"
}
index_in_order() { # NAME
    if grep -q 'Index Scan' "$T_RUN/plan" && grep -q 'Limit' "$T_RUN/plan" &&
        ! grep -q 'Sort' "$T_RUN/plan"; then
        t_ok "$1"
    else
        t_fail "$1" "the plan was: $(tr -s ' \n' ' ' <"$T_RUN/plan" | head -c 1500)"
    fi
}
page_plan "/api/blog-posts" -H "Authorization: Bearer $mjwt"
index_in_order "an unfiltered page's plan is a Limit over an index scan, no Sort"
page_plan "/api/blog-posts"
index_in_order "... anonymous too"

# The second line: reads go through blog_posts_visible, which shows drafts
# only of the organization app.organization_id names, set per transaction
# from a membership the same pipeline looks up.  Without it, no drafts.
check "a query through the view without the per-request scope sees no drafts at all" test \
    "$(psql_q "SELECT count(*) FROM blog_posts_visible WHERE status <> 'published'")" = 0
check "... while the table holds 200 hidden drafts" test \
    "$(psql_q "SELECT count(*) FROM blog_posts WHERE organization_id = 'org_01HIDDEN' AND status = 'draft'")" = 200
check "with the scope of one organization, exactly that organization's drafts" test \
    "$(psql -X -q -A -t -v ON_ERROR_STOP=1 "$DATABASE_URL" <<'SQL' | tail -n 1
BEGIN;
SELECT set_config('app.organization_id', 'org_01HIDDEN', true) IS NULL;
SELECT count(*) FROM blog_posts_visible WHERE status <> 'published';
COMMIT;
SQL
)" = 200
check "... and only for its transaction" test \
    "$(psql_q "SELECT count(*) FROM blog_posts_visible WHERE status <> 'published'")" = 0
# A token whose user is gone is refused (401), yet the read that went in
# its pipeline ran: under the scope the authorization statement sets, '',
# even though it found no user, and never under a value the connection's
# session happens to carry (here one naming the hidden organization).
gone=$(token --id 987654321 --org org_01HIDDEN)
cgi DATABASE_URL="$(explain_url "-c app.organization_id=org_01HIDDEN")" REQUEST_METHOD=GET \
    REQUEST_URI="/api/blog-posts?filters[title][\$startsWith]=Draft" HTTP_AUTHORIZATION="Bearer $gone"
check "a token of a user who is gone is 401" grep -q '^Status: 401' "$T_RUN/cgi.out"
# The rows that passed the caller's filter (title LIKE 'Draft%'), in the
# plan of that read: only the hidden drafts could.
drafts_seen=$(plans "$T_RUN/cgi.err" | jq -s '[.[] | .. | objects
    | select((.Filter? // "") | test("Draft")) | ."Actual Rows"] | max')
check "... and the read beside it saw none of the hidden drafts (rows that passed its filter: $drafts_seen)" \
    test "$drafts_seen" = 0
psql -X -q "$PG_ADMIN_URL" -c "ALTER DATABASE \"$db\" RESET ALL" >/dev/null
