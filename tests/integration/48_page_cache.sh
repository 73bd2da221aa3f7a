# Kept answers (lib/pcache.h, sql/0008_content_versions.sql): a content
# process serves an answer it built again only while nothing its caller
# could see has been written since, and only to a caller who may read it
# now.  Every check reads the same URL before and after a change, so the
# answer before was kept.

psql_q "INSERT INTO organizations (id, name) VALUES ('org_01A', 'A'), ('org_01B', 'B')"
member() { # email org -> user id
    local id
    id=$(mkuser "$1")
    psql_q "INSERT INTO memberships (user_id, organization_id, role_slug) VALUES ($id, '$2', 'member')"
    echo "$id"
}
mA=$(member cache.a@example.com org_01A)
mB=$(member cache.b@example.com org_01B)
T_A=$(token --id "$mA" --org org_01A)
T_B=$(token --id "$mB" --org org_01B)
T_B_claims_A=$(token --id "$mB" --org org_01A)
writer=$(mkuser cache.writer@example.com)
T_W=$(token --id "$writer")

twice() { # who path: read twice (the second from the kept answer)
    as "$1" GET "$2"
    as "$1" GET "$2"
}

for t in Alpha Beta Gamma; do
    as "$T_W" POST /api/articles "{\"data\":{\"title\":\"Cache $t\"}}"
done
expect_status "articles are created" 201
LIST='/api/articles?filters[title][$containsi]=cache&sort=title:asc&fields[0]=title'

# --- a kept answer is served without reading the collection
twice anon "$LIST"
kept=$BODY
as anon GET '/api/articles?filters[title][$containsi]=cache&sort=title:desc&fields[0]=title'
doc=$(jq -r '.data[0].documentId' <<<"$BODY")
twice anon "/api/articles/$doc"
kept_one=$BODY
hold_lock articles 3 || t_fail "a lock on articles is taken"
as anon GET "$LIST"
expect_status "while articles is locked, a page read before is served" 200
check "... the same answer, byte for byte" test "$BODY" = "$kept"
as anon GET "/api/articles/$doc"
expect_status "... and an entry read before" 200
check "... the same entry" test "$BODY" = "$kept_one"
as anon GET '/api/articles?filters[title][$containsi]=cache&sort=title:asc&fields[0]=slug'
expect_status "a page not read before waits for the lock, past the anonymous budget" 503
wait "$lock_pid"

# --- every kind of write is seen by the next read of the same URL
twice anon "$LIST"
as "$T_W" POST /api/articles '{"data":{"title":"Cache Delta"}}'
delta=$(jq -r '.data.documentId' <<<"$BODY")
as anon GET "$LIST"
check "a create is seen at once" test "$(titles)" = "Cache Alpha,Cache Beta,Cache Delta,Cache Gamma"
twice anon "/api/articles/$delta"
as "$T_W" PUT "/api/articles/$delta" '{"data":{"title":"Cache Delta 2"}}'
as anon GET "/api/articles/$delta"
expect_json "an update is seen at once (entry)" '.data.title == "Cache Delta 2"'
as anon GET "$LIST"
check "... and in the list" test "$(titles)" = "Cache Alpha,Cache Beta,Cache Delta 2,Cache Gamma"
as "$T_W" DELETE "/api/articles/$delta"
as anon GET "/api/articles/$delta"
expect_status "a delete is seen at once (entry)" 404
as anon GET "$LIST"
check "... and in the list" test "$(titles)" = "Cache Alpha,Cache Beta,Cache Gamma"
twice anon "$LIST"
psql_q "UPDATE articles SET title = 'Cache Alpha SQL' WHERE title = 'Cache Alpha'"
as anon GET "$LIST"
check "an operator's UPDATE in SQL is seen at once" test "$(titles)" = "Cache Alpha SQL,Cache Beta,Cache Gamma"
psql_q "INSERT INTO articles (document_id, title) VALUES ('zcachesql000000000000000', 'Cache SQL')"
as anon GET "$LIST"
check "an INSERT in SQL is seen at once" test "$(titles)" = "Cache Alpha SQL,Cache Beta,Cache Gamma,Cache SQL"
expect_json "... with its total" '.meta.pagination.total == 4'
psql_q "BEGIN; DELETE FROM articles WHERE title = 'Cache SQL'; UPDATE articles SET title = 'Cache Beta 2' WHERE title = 'Cache Beta'; COMMIT"
as anon GET "$LIST"
check "a transaction of two writes is seen whole" test "$(titles)" = "Cache Alpha SQL,Cache Beta 2,Cache Gamma"
psql_q "UPDATE articles SET title = title WHERE false"
as anon GET "$LIST"
check "a write of no row changes nothing" test "$(titles)" = "Cache Alpha SQL,Cache Beta 2,Cache Gamma"
psql_q "BEGIN; UPDATE articles SET title = 'Cache rolled back' WHERE title = 'Cache Gamma'; ROLLBACK"
as anon GET "$LIST"
check "a rolled-back write is not seen" test "$(titles)" = "Cache Alpha SQL,Cache Beta 2,Cache Gamma"

# --- an answer found out of date is built at once the next time, until its
# rows are seen to stay as they are (a lock on the rows shows which way a
# read went: a kept answer is served without reading them)
twice anon "$LIST"
psql_q "UPDATE articles SET title = title WHERE title = 'Cache Gamma'"
as anon GET "$LIST"
expect_status "after a write, the kept answer is found out of date and built again" 200
hold_lock articles 2 || t_fail "a lock on articles is taken"
as anon GET "$LIST"
expect_status "... so the next read builds it at once (and waits for the rows)" 503
wait "$lock_pid"
as anon GET "$LIST"
expect_status "... and once the rows were seen unchanged" 200
hold_lock articles 2 || t_fail "a lock on articles is taken"
as anon GET "$LIST"
expect_status "... the answer is served kept again" 200
wait "$lock_pid"

# --- versions never come back
twice anon "$LIST"
psql_q "BEGIN;
        -- as after a restore from a backup taken one write ago, or a failover
        -- to a standby that lost that write: the version one less, the rows
        -- different; then one write, which would make the version the kept one
        UPDATE content_versions SET version = version - 1 WHERE collection = 'articles';
        ALTER TABLE articles DISABLE TRIGGER article_versions_update;
        UPDATE articles SET title = 'Cache Gamma restored' WHERE title = 'Cache Gamma';
        ALTER TABLE articles ENABLE ALWAYS TRIGGER article_versions_update;
        UPDATE articles SET title = 'Cache Beta 3' WHERE title = 'Cache Beta 2';
        COMMIT"
as anon GET "$LIST"
check "a version that went back (a restore, a failover) and then forward is never the kept one" \
    test "$(titles)" = "Cache Alpha SQL,Cache Beta 3,Cache Gamma restored"
twice anon "$LIST"
psql_q "SET session_replication_role = replica; UPDATE articles SET title = 'Cache Gamma' WHERE title = 'Cache Gamma restored'"
as anon GET "$LIST"
check "a write applied as a replica applies it (triggers fire ALWAYS) is seen at once" \
    test "$(titles)" = "Cache Alpha SQL,Cache Beta 3,Cache Gamma"
psql_q "DELETE FROM content_versions WHERE collection = 'articles'"
twice anon "$LIST"
hold_lock articles 2 || t_fail "a lock on articles is taken"
as anon GET "$LIST"
expect_status "without the collection's version nothing is kept: a read waits for the rows" 503
wait "$lock_pid"
psql_q "UPDATE articles SET title = 'Cache Beta 2' WHERE title = 'Cache Beta 3'"
check "the next write makes the version again" \
    test "$(psql_q "SELECT count(*) FROM content_versions WHERE collection = 'articles' AND scope = ''")" = 1

# --- the answer's form is part of what is kept
twice anon "$LIST"
req GET "$LIST" -H "Strapi-Response-Format: v4"
expect_json "the v4 format of a URL read in v5 is v4" '.data[0].attributes.title != null'
as anon GET "${LIST}&pagination[page]=1&pagination[pageSize]=2"
as anon GET "${LIST}&pagination[start]=0&pagination[limit]=2"
expect_json "pagination by start and limit after page and pageSize: its own meta" '.meta.pagination == {"start":0,"limit":2,"total":3}'

# --- blog posts: who may see a kept answer
as "$T_A" POST /api/blog-posts '{"data":{"title":"Cache A draft"}}'
A_draft=$(jq -r '.data.documentId' <<<"$BODY")
as "$T_B" POST /api/blog-posts '{"data":{"title":"Cache B published","status":"published"}}'
POSTS='/api/blog-posts?filters[title][$startsWith]=Cache&fields[0]=title'
twice "$T_A" "$POSTS"
check "a member of A sees A's draft" test "$(titles)" = "Cache A draft,Cache B published"
as "$T_B" GET "$POSTS"
check "a member of B, same URL, does not" test "$(titles)" = "Cache B published"
as "$T_B_claims_A" GET "$POSTS"
check "nor does B with a token claiming A (no membership of A)" test "$(titles)" = "Cache B published"
as anon GET "$POSTS"
check "nor does an anonymous reader" test "$(titles)" = "Cache B published"
# A member's kept answer is that member's: another member of the same
# organization is not served it, so how fast an answer comes never tells
# what someone else read (nor, to a token of an ended membership, what the
# organization's members read).
mA2=$(member cache.a2@example.com org_01A)
T_A2=$(token --id "$mA2" --org org_01A)
twice "$T_A" "$POSTS"
hold_lock blog_posts 3 || t_fail "a lock on blog_posts is taken"
as "$T_A" GET "$POSTS"
check "while blog_posts is locked, a member's kept page is served to them" \
    bash -c "[ '$STATUS' = 200 ] && kill -0 $lock_pid"
(as "$T_A2" GET "$POSTS"; echo "$STATUS" >"$T_RUN/a2.status") &
a2_pid=$!
check "... but another member's read of the same URL waits for the rows" lock_waited blog_posts
wait "$a2_pid"
check "... and is answered once they are free" test "$(cat "$T_RUN/a2.status")" = 200
wait "$lock_pid"
twice "$T_A" "/api/blog-posts/$A_draft"
as "$T_B_claims_A" GET "/api/blog-posts/$A_draft"
expect_status "A's draft read by A is 404 to B claiming A" 404
as anon GET "/api/blog-posts/$A_draft"
expect_status "... and to an anonymous reader" 404
twice anon "$POSTS"
as "$T_A" PUT "/api/blog-posts/$A_draft" '{"data":{"title":"Cache A draft 2"}}'
as anon GET "$POSTS"
check "a draft's change leaves the anonymous page as it was" test "$(titles)" = "Cache B published"
as "$T_A" GET "$POSTS"
check "... and is seen by its organization at once" test "$(titles)" = "Cache A draft 2,Cache B published"
as "$T_A" PUT "/api/blog-posts/$A_draft" '{"data":{"status":"published"}}'
as anon GET "$POSTS"
check "publishing is seen by everyone at once" test "$(titles)" = "Cache A draft 2,Cache B published"
as "$T_A" PUT "/api/blog-posts/$A_draft" '{"data":{"status":"draft"}}'
as anon GET "$POSTS"
check "unpublishing too" test "$(titles)" = "Cache B published"
twice "$T_A" "$POSTS"
psql_q "UPDATE memberships SET status = 'inactive' WHERE user_id = $mA"
as "$T_A" GET "$POSTS"
check "a member whose membership ended no longer sees the drafts kept for them" test "$(titles)" = "Cache B published"
psql_q "UPDATE memberships SET status = 'active' WHERE user_id = $mA"
twice "$T_A" "$POSTS"
psql_q "UPDATE users SET blocked = true WHERE id = $mA"
as "$T_A" GET "$POSTS"
expect_status "a blocked user is refused a page kept for them" 401
psql_q "UPDATE users SET blocked = false WHERE id = $mA"
twice anon "$POSTS"
psql_q "DELETE FROM permissions WHERE action = 'api::blog-post.blog-post.find' AND role_id = (SELECT id FROM roles WHERE type = 'public')"
as anon GET "$POSTS"
expect_status "a permission taken away refuses a kept page at once" 403
psql_q "INSERT INTO permissions (role_id, action) SELECT id, 'api::blog-post.blog-post.find' FROM roles WHERE type = 'public'"
twice anon "$POSTS"
psql_q "TRUNCATE blog_posts"
as anon GET "$POSTS"
check "a TRUNCATE is seen at once" test "$(jq '.data | length' <<<"$BODY")" = 0
as "$T_A" GET "$POSTS"
check "... by members too" test "$(jq '.data | length' <<<"$BODY")" = 0

# --- many URLs: the cache stays within its bound (memory: 70_memory)
bad=0
for i in $(seq 1 80); do
    as anon GET "/api/articles?pagination[page]=$i&pagination[pageSize]=1&fields[0]=title"
    [ "$STATUS" = 200 ] || bad=$((bad + 1))
done
check "80 different pages are served" test "$bad" = 0
as anon GET "$LIST"
check "and an old URL still answers rightly" test "$(titles)" = "Cache Alpha SQL,Cache Beta 2,Cache Gamma"
