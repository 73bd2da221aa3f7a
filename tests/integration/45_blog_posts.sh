# Blog posts: the organization matrix for every route, through lighttpd.

psql_q "INSERT INTO organizations (id, name) VALUES ('org_01A', 'A'), ('org_01B', 'B')"
member() { # email org role -> user id
    local id
    id=$(mkuser "$1")
    [ -n "$2" ] && psql_q "INSERT INTO memberships (user_id, organization_id, role_slug) VALUES ($id, '$2', '$3')"
    echo "$id"
}
mA=$(member member.a@example.com org_01A member)
aA=$(member admin.a@example.com org_01A admin)
vA=$(member viewer.a@example.com org_01A viewer)
mB=$(member member.b@example.com org_01B member)
nO=$(member loner@example.com "" "")
T_mA=$(token --id "$mA" --org org_01A)
T_aA=$(token --id "$aA" --org org_01A)
T_vA=$(token --id "$vA" --org org_01A)
T_mB=$(token --id "$mB" --org org_01B)
T_nO=$(token --id "$nO")
T_mA_claims_B=$(token --id "$mA" --org org_01B)

# The titles of a member's filtered list, pageSize at a time, sorted by
# title descending, in the order the pages gave them: every page of a
# filtered list must continue the one before.
paged_titles() { # who filter pageSize
    local page=1 out="" n
    while :; do
        as "$1" GET "/api/blog-posts?$2&sort=title:desc&fields[0]=title&pagination[pageSize]=$3&pagination[page]=$page"
        n=$(jq '.data | length' <<<"$BODY")
        [ "$n" -gt 0 ] 2>/dev/null || break
        out="$out${out:+,}$(jq -r '[.data[].title] | join(",")' <<<"$BODY")"
        page=$((page + 1))
        [ "$page" -le 50 ] || break
    done
    echo "$out"
}

as "$T_mA" POST /api/blog-posts '{"data":{"title":"A draft"}}'
expect_status "a member creates a post" 201
expect_json "a new post is a draft of the member's organization" '.data.organizationId == "org_01A" and .data.status == "draft" and .data.publishedAt == null and .data.slug == "a-draft"'
expect_json "a post has Strapi's keys" '(.data|keys_unsorted) == ["id","documentId","title","content","slug","organizationId","status","createdAt","updatedAt","publishedAt"]'
A_draft=$(jq -r .data.documentId <<<"$BODY")
as "$T_aA" POST /api/blog-posts '{"data":{"title":"A published","status":"published","organizationId":"org_01A"}}'
expect_status "an admin creates a published post naming their own organization" 201
expect_json "a published post has publishedAt" '.data.publishedAt != null and .data.status == "published"'
A_pub=$(jq -r .data.documentId <<<"$BODY")
as "$T_mB" POST /api/blog-posts '{"data":{"title":"B draft"}}'
B_draft=$(jq -r .data.documentId <<<"$BODY")
as "$T_mB" POST /api/blog-posts '{"data":{"title":"B published","status":"published"}}'
B_pub=$(jq -r .data.documentId <<<"$BODY")
as "$T_mB" POST /api/blog-posts '{"data":{"title":"A draft"}}'
expect_json "slugs are unique per organization, not across them" '.data.slug == "a-draft"'
B_same=$(jq -r .data.documentId <<<"$BODY")

# --- reads
as anon GET /api/blog-posts
check "anonymous readers see only published posts" test "$(titles)" = "A published,B published"
as "$T_nO" GET /api/blog-posts
check "a user without an organization sees only published posts" test "$(titles)" = "A published,B published"
as "$T_mA" GET /api/blog-posts
check "a member of A sees A's posts in every status and B's published" test "$(titles)" = "A draft,A published,B published"
as "$T_vA" GET /api/blog-posts
check "a read-only role of A reads like a member" test "$(titles)" = "A draft,A published,B published"
as "$T_mB" GET /api/blog-posts
check "a member of B sees B's posts and A's published" test "$(titles)" = "A draft,A published,B draft,B published"
as "$T_mB" GET '/api/blog-posts?filters[status][$eq]=draft'
check "filters cannot reach another organization's drafts" test "$(titles)" = "A draft,B draft"
expect_json "the drafts a member of B sees are B's" '[.data[].organizationId] | all(. == "org_01B")'
as "$T_mB" GET '/api/blog-posts?filters[organizationId][$eq]=org_01A'
check "filtering on another organization shows only its published posts" test "$(titles)" = "A published"
as "$T_mB" GET '/api/blog-posts?filters[$or][0][status]=draft&filters[$or][1][organizationId]=org_01A'
expect_json "an \$or reveals no draft of another organization" '[.data[] | select(.status == "draft") | .organizationId] | all(. == "org_01B")'
as anon GET /api/blog-posts
expect_json "the public count covers only published posts" '.meta.pagination.total == 2 and .meta.pagination.pageCount == 1'
as "$T_mB" GET /api/blog-posts
expect_json "a member's count covers their drafts, not other organizations'" '.meta.pagination.total == 4'
as anon GET '/api/blog-posts?pagination[page]=9'
expect_json "a page past the end counts only visible posts" '.data == [] and .meta.pagination.total == 2'
as "$T_mA" GET '/api/blog-posts?pagination[start]=50&pagination[limit]=5'
expect_json "an offset past the end counts only visible posts" '.data == [] and .meta.pagination.total == 3'
as "$T_mB" PUT "/api/blog-posts/$B_draft" '{"data":{"content":"zebracorn secret"}}'
as anon GET '/api/blog-posts?_q=zebracorn'
expect_json "search does not reach another organization's draft (anonymous)" '.data == [] and .meta.pagination.total == 0'
as "$T_mA" GET '/api/blog-posts?_q=zebracorn'
expect_json "search does not reach another organization's draft (member of A)" '.data == [] and .meta.pagination.total == 0'
as "$T_mB" GET '/api/blog-posts?_q=zebracorn'
expect_json "search finds one's own organization's draft" '[.data[].title] == ["B draft"]'
# Filtered lists in pages: every page continues the one before, in the
# sort's order, and holds only what the caller may see.
as "$T_mB" GET '/api/blog-posts?filters[title][$contains]=%20&sort=title:desc&fields[0]=title&pagination[pageSize]=100'
check "a member's filtered list, sorted by title descending" test "$(jq -r '[.data[].title] | join(",")' <<<"$BODY")" = "B published,B draft,A published,A draft"
check "... the same, one entry a page" test "$(paged_titles "$T_mB" 'filters[title][$contains]=%20' 1)" = "B published,B draft,A published,A draft"
check "... three entries a page" test "$(paged_titles "$T_mB" 'filters[title][$contains]=%20' 3)" = "B published,B draft,A published,A draft"
check "an anonymous filtered list in pages shows only published posts" test "$(paged_titles anon 'filters[title][$contains]=%20' 1)" = "B published,A published"
as "$T_mA_claims_B" GET /api/blog-posts
check "an organization claim without membership reads as an outsider" test "$(titles)" = "A published,B published"

as anon GET "/api/blog-posts/$A_draft"
expect_error "anonymous findOne of a draft is 404" 404 NotFoundError
as anon GET "/api/blog-posts/$A_pub"
expect_status "anonymous findOne of a published post is 200" 200
as "$T_mB" GET "/api/blog-posts/$A_draft"
expect_error "another organization's draft is 404 (not leaked)" 404 NotFoundError
as "$T_mA" GET "/api/blog-posts/$A_draft"
expect_status "a member reads their organization's draft" 200
as "$T_vA" GET "/api/blog-posts/$A_draft"
expect_status "a read-only role reads their organization's draft" 200
as "$T_aA" GET /api/blog-posts
check "an admin of A sees A's posts in every status and B's published" test "$(titles)" = "A draft,A published,B published"
as "$T_aA" GET "/api/blog-posts/$A_draft"
expect_status "an admin reads their organization's draft" 200
as "$T_nO" GET "/api/blog-posts/$A_draft"
expect_error "a user without an organization cannot read a draft (404)" 404 NotFoundError
as "$T_nO" GET "/api/blog-posts/$B_pub"
expect_status "a user without an organization reads a published post" 200
as "$T_mB" GET "/api/blog-posts/$A_pub"
expect_status "a member of B reads A's published post" 200

# --- writes
n_before=$(psql_q "SELECT count(*) FROM blog_posts")
as anon POST /api/blog-posts '{"data":{"title":"x"}}'
expect_error "anonymous create is 403" 403 ForbiddenError
as "$T_nO" POST /api/blog-posts '{"data":{"title":"x"}}'
expect_error "create without an organization is 403" 403 ForbiddenError "Organization membership required"
as "$T_mA_claims_B" POST /api/blog-posts '{"data":{"title":"x"}}'
expect_error "an organization claim without membership cannot create" 403 ForbiddenError "Organization membership required"
as "$T_vA" POST /api/blog-posts '{"data":{"title":"x"}}'
expect_error "a read-only role cannot create" 403 ForbiddenError
as "$T_mA" POST /api/blog-posts '{"data":{"title":"x","organizationId":"org_01B"}}'
expect_error "a body naming another organization is 403" 403 ForbiddenError
as "$T_mA" POST /api/blog-posts '{"data":{"title":"x","status":"secret"}}'
expect_error "a bad status is 400" 400 ValidationError "status must be one of the following values: draft, published, archived"
check "refused creates wrote nothing" test "$(psql_q "SELECT count(*) FROM blog_posts")" = "$n_before"

snap() { psql_q "SELECT title || '|' || status || '|' || organization_id FROM blog_posts WHERE document_id = '$1'"; }
a_draft_before=$(snap "$A_draft")
a_pub_before=$(snap "$A_pub")
as "$T_mB" PUT "/api/blog-posts/$A_draft" '{"data":{"title":"hacked"}}'
expect_error "updating another organization's draft is 404" 404 NotFoundError
as "$T_mB" PUT "/api/blog-posts/$A_pub" '{"data":{"title":"hacked"}}'
expect_error "updating another organization's published post is 403" 403 ForbiddenError
as "$T_mB" DELETE "/api/blog-posts/$A_pub"
expect_error "deleting another organization's published post is 403" 403 ForbiddenError
as "$T_mB" DELETE "/api/blog-posts/$A_draft"
expect_error "deleting another organization's draft is 404" 404 NotFoundError
as "$T_vA" PUT "/api/blog-posts/$A_draft" '{"data":{"title":"viewer edit"}}'
expect_error "a read-only role cannot update" 403 ForbiddenError
as "$T_vA" DELETE "/api/blog-posts/$A_draft"
expect_error "a read-only role cannot delete" 403 ForbiddenError
as "$T_nO" PUT "/api/blog-posts/$A_draft" '{"data":{"title":"x"}}'
expect_error "a user without an organization cannot update" 403 ForbiddenError "Organization membership required"
as "$T_mA" PUT "/api/blog-posts/$A_draft" '{"data":{"organizationId":"org_01B"}}'
expect_error "a post cannot be moved to another organization" 403 ForbiddenError
as anon PUT "/api/blog-posts/$A_draft" '{"data":{"title":"x"}}'
expect_error "anonymous update is 403" 403 ForbiddenError
as anon DELETE "/api/blog-posts/$A_pub"
expect_error "anonymous delete is 403" 403 ForbiddenError
as "$T_nO" DELETE "/api/blog-posts/$A_pub"
expect_error "a user without an organization cannot delete" 403 ForbiddenError "Organization membership required"
check "refused writes left A's draft unchanged" test "$(snap "$A_draft")" = "$a_draft_before"
check "refused writes left A's published post unchanged" test "$(snap "$A_pub")" = "$a_pub_before"

as "$T_mA" PUT "/api/blog-posts/$A_draft" '{"data":{"status":"published"}}'
expect_json "publishing a draft sets publishedAt" '.data.status == "published" and .data.publishedAt != null'
first_pub=$(jq -r .data.publishedAt <<<"$BODY")
as "$T_mA" PUT "/api/blog-posts/$A_draft" '{"data":{"status":"archived"}}'
expect_json "archiving keeps the last publishedAt" ".data.status == \"archived\" and .data.publishedAt == \"$first_pub\""
as anon GET "/api/blog-posts/$A_draft"
expect_error "an archived post is hidden from the public" 404 NotFoundError
as "$T_aA" PUT "/api/blog-posts/$A_draft" '{"data":{"title":"Renamed","organizationId":"org_01A"}}'
expect_json "an admin updates, naming their own organization; the slug stays" '.data.title == "Renamed" and .data.slug == "a-draft" and .data.organizationId == "org_01A"'
as "$T_mA" PUT /api/blog-posts/zzzzzzzzzzzzzzzzzzzzzzzz '{"data":{"title":"x"}}'
expect_error "updating an unknown post is 404" 404 NotFoundError

# --- The whole query on the routes of one post, checked before anything
# happens; filters never reach another organization's draft.
as "$T_mA" POST /api/blog-posts '{"data":{"title":"Query Draft","content":"q"}}'
Q_draft=$(jq -r .data.documentId <<<"$BODY")
as "$T_mB" GET "/api/blog-posts/$Q_draft?filters[status][\$eq]=draft"
expect_error "a filter does not reveal another organization's draft (findOne)" 404 NotFoundError
as "$T_mB" GET "/api/blog-posts/$Q_draft?filters[organizationId][\$eq]=org_01A"
expect_error "nor does a filter on its organization" 404 NotFoundError
as anon GET "/api/blog-posts/$Q_draft?filters[\$or][0][status]=draft&filters[\$or][1][status]=published"
expect_error "nor an \$or, anonymously" 404 NotFoundError
as "$T_mA" GET "/api/blog-posts/$Q_draft?filters[title][\$eq]=zzz"
expect_error "findOne ANDs the filters with the documentId (posts)" 404 NotFoundError
as "$T_mA" GET "/api/blog-posts/$Q_draft?filters[title][\$eq]=Query%20Draft&fields[0]=status"
expect_json "a matching filter answers the asked fields" '(.data|keys_unsorted) == ["id","documentId","status"] and .data.status == "draft"'
as "$T_mA" GET "/api/blog-posts/$Q_draft?filters[nope][\$eq]=1"
expect_error "findOne with an unknown filter key is 400 (posts)" 400 ValidationError "Invalid key nope"
as "$T_mA" GET "/api/blog-posts/$Q_draft?sort=nope"
expect_error "findOne with an unknown sort key is 400 (posts)" 400 ValidationError "Invalid key nope"
q_before=$(snap "$Q_draft")
as "$T_mA" PUT "/api/blog-posts/$Q_draft?fields[0]=nope" '{"data":{"title":"Changed"}}'
expect_error "update with an unknown field is 400 (posts)" 400 ValidationError "Invalid key nope"
as "$T_mA" PUT "/api/blog-posts/$Q_draft?filters[x]=1" '{"data":{"title":"Changed"}}'
expect_error "update with an unknown filter key is 400 (posts)" 400 ValidationError "Invalid key x"
check "refused updates left the post unchanged" test "$(snap "$Q_draft")" = "$q_before"
as "$T_mA" PUT "/api/blog-posts/$Q_draft?fields[0]=title" '{"data":{"content":"changed"}}'
expect_json "update answers exactly the asked fields (posts)" '(.data|keys_unsorted) == ["id","documentId","title"]'
n_q=$(psql_q "SELECT count(*) FROM blog_posts")
as "$T_mA" POST "/api/blog-posts?fields[0]=nope" '{"data":{"title":"Never"}}'
expect_error "create with an unknown field is 400 (posts)" 400 ValidationError "Invalid key nope"
check "a refused create wrote nothing (posts)" test "$(psql_q "SELECT count(*) FROM blog_posts")" = "$n_q"
as "$T_mA" POST "/api/blog-posts?fields[0]=organizationId&fields[1]=status" '{"data":{"title":"Fields Post"}}'
expect_json "create answers exactly the asked fields (posts)" '(.data|keys_unsorted) == ["id","documentId","organizationId","status"] and .data.organizationId == "org_01A"'
F_post=$(jq -r .data.documentId <<<"$BODY")
as "$T_mA" DELETE "/api/blog-posts/$F_post?fields[0]=nope"
expect_error "delete with an unknown field is 400 (posts)" 400 ValidationError "Invalid key nope"
as "$T_mA" DELETE "/api/blog-posts/$F_post?filters[title][\$eq]=zzz"
expect_error "delete with a filter that does not match is 404 (posts)" 404 NotFoundError
check "refused deletes left the post there" test "$(psql_q "SELECT count(*) FROM blog_posts WHERE document_id = '$F_post'")" = 1
as "$T_mA" DELETE "/api/blog-posts/$F_post?filters[status][\$eq]=draft"
expect_status "delete with a matching filter deletes (posts)" 204

# Values: bare $null and datetimes on posts too.
psql_q "UPDATE blog_posts SET content = NULL WHERE document_id = '$Q_draft'"
psql_q "UPDATE blog_posts SET created_at = timestamptz '2026-11-29 23:47:04.123456+00' WHERE document_id = '$Q_draft'"
as "$T_mA" GET '/api/blog-posts?filters[content][$notNull]&filters[title][$startsWith]=Query'
check "a bare \$notNull is IS NULL (posts)" test "$(titles)" = "Query Draft"
as "$T_mA" GET '/api/blog-posts?filters[content][$null]&filters[title][$startsWith]=Query'
check "a bare \$null is IS NOT NULL (posts)" test "$(titles)" = ""
as "$T_mA" GET "/api/blog-posts?filters[createdAt][\$gt]=$(date -u -d '2026-11-29T23:47:04.123Z' +%s%3N)&filters[title][\$startsWith]=Query"
check "\$gt of a post's own createdAt in ms leaves it out" test "$(titles)" = ""
as "$T_mA" GET "/api/blog-posts?filters[createdAt][\$gte]=$(date -u -d '2026-11-29T23:47:04.123Z' +%s%3N)&filters[title][\$startsWith]=Query"
check "\$gte keeps it" test "$(titles)" = "Query Draft"
as "$T_mA" GET '/api/blog-posts?filters[createdAt][$eq]=2026-11-29%2023:47:04.123'
check "the space form means the T form (posts)" test "$(titles)" = "Query Draft"
as "$T_mB" GET '/api/blog-posts?filters[createdAt][$eq]=2026-11-29%2023:47:04.123'
check "a datetime filter does not reveal another organization's draft" test "$(titles)" = ""
as "$T_mA" GET '/api/blog-posts?filters[createdAt][$lt]=not-a-date'
expect_error "not-a-date is 400 (posts)" 400 ValidationError

# Slugs: kept by updates that do not name them; chosen in one bounded
# statement within the organization (rows read, not time).
as "$T_mA" POST /api/blog-posts '{"data":{"title":"Stable","slug":"my-stable-url"}}'
S_post=$(jq -r .data.documentId <<<"$BODY")
as "$T_mA" PUT "/api/blog-posts/$S_post" '{"data":{"title":"Renamed Stable"}}'
expect_json "an update that does not name slug never changes it (posts)" '.data.title == "Renamed Stable" and .data.slug == "my-stable-url"'
as "$T_mA" PUT "/api/blog-posts/$S_post" '{"data":{"slug":""}}'
expect_json "a blank slug is made anew from the title (posts)" '.data.slug == "renamed-stable"'
psql_q "INSERT INTO blog_posts (document_id, title, slug, organization_id)
    SELECT 'd' || lpad(g::text, 23, '0'), 'Dos', 'dos-' || g, 'org_01A' FROM generate_series(1, 40000) g"
psql_q "INSERT INTO blog_posts (document_id, title, slug, organization_id) VALUES ('dosbase00000000000000000', 'Dos', 'dos', 'org_01A')"
psql_q "ANALYZE blog_posts"
printf '{"data":{"title":"Dos"}}' >"$T_RUN/dos.json"
CGI_STDIN=$T_RUN/dos.json cgi DATABASE_URL="$(explain_url)" REQUEST_METHOD=POST REQUEST_URI=/api/blog-posts \
    CONTENT_TYPE=application/json CONTENT_LENGTH=$(wc -c <"$T_RUN/dos.json") HTTP_AUTHORIZATION="Bearer $T_mA"
check "a post among 40,000 dos-N slugs of its organization is created" grep -q '^Status: 201' "$T_RUN/cgi.out"
check "... as dos-40001" grep -q '"slug":"dos-40001"' "$T_RUN/cgi.out"
n_read=$(rows_read blog_posts "$T_RUN/cgi.err")
check "choosing it read at most 300 rows of blog_posts (read at most $n_read)" test "${n_read:-99999}" -le 300
check "... and scanned blog_posts sequentially nowhere" test "$(seq_scans blog_posts "$T_RUN/cgi.err")" = 0
as "$T_mB" POST /api/blog-posts '{"data":{"title":"Dos"}}'
expect_json "another organization's slugs are its own (dos)" '.data.slug == "dos"'
psql_q "DELETE FROM blog_posts WHERE title = 'Dos'"

# Parallel creates of one title in two organizations: each organization
# numbers its own slugs, and no writer runs out of choices.
pids=()
for i in $(seq 1 24); do
    who=$T_mA; [ $((i % 2)) = 0 ] && who=$T_mB
    curl -gsS -o "$T_RUN/twin.body.$i" -w '%{http_code}\n' -H "Authorization: Bearer $who" \
        -H 'Content-Type: application/json' --data '{"data":{"title":"Twin"}}' \
        "http://127.0.0.1:$HTTP_PORT/api/blog-posts" >"$T_RUN/twin.st.$i" &
    pids+=($!)
done
wait "${pids[@]}"
check "24 parallel creates of one title in two organizations all answer 201" test "$(cat "$T_RUN"/twin.st.* | sort -u)" = 201
twin_slugs() { cat "$T_RUN"/twin.body.* | jq -r "select(.data.organizationId == \"$1\") | .data.slug" | sort -u | grep -cE '^twin(-[0-9]+)?$'; }
check "... 12 slugs of their own in organization A" test "$(twin_slugs org_01A)" = 12
check "... and 12 in organization B" test "$(twin_slugs org_01B)" = 12
check "... numbered from twin in each" test "$(psql_q "SELECT count(*) FROM blog_posts WHERE slug = 'twin'")" = 2
psql_q "DELETE FROM blog_posts WHERE title = 'Twin'"

# The role table rules writes, at once.
psql_q "DELETE FROM organization_role_permissions WHERE role_slug = 'member' AND action = 'api::blog-post.blog-post.create'"
as "$T_mA" POST /api/blog-posts '{"data":{"title":"after revoke"}}'
expect_error "removing create from the member role is 403 at once" 403 ForbiddenError
psql_q "INSERT INTO organization_role_permissions VALUES ('viewer', 'api::blog-post.blog-post.create')"
as "$T_vA" POST /api/blog-posts '{"data":{"title":"viewer may now"}}'
expect_status "granting create to a role works at once" 201
psql_q "UPDATE memberships SET status = 'inactive' WHERE user_id = $aA"
as "$T_aA" POST /api/blog-posts '{"data":{"title":"inactive"}}'
expect_error "an inactive membership cannot write" 403 ForbiddenError "Organization membership required"
as "$T_aA" GET /api/blog-posts
check "an inactive member reads like an outsider" test "$(titles)" = "A published,B published"
expect_json "... and is counted like one" '.meta.pagination.total == 2'
as "$T_aA" GET "/api/blog-posts/$A_draft"
expect_error "an inactive member cannot read their organization's draft" 404 NotFoundError
as "$T_aA" GET "/api/blog-posts/$A_pub"
expect_status "... but reads its published post" 200
psql_q "UPDATE memberships SET status = 'active' WHERE user_id = $aA"
as "$T_aA" GET "/api/blog-posts/$A_draft"
expect_status "active again, they read it at once" 200

as "$T_aA" POST /api/blog-posts '{"data":{"title":"to delete"}}'
as "$T_mA" DELETE "/api/blog-posts/$(jq -r .data.documentId <<<"$BODY")"
expect_status "a member deletes their organization's post" 204
as "$T_aA" DELETE "/api/blog-posts/$A_draft"
expect_status "an admin deletes their organization's post" 204
as "$T_aA" DELETE "/api/blog-posts/$A_draft"
expect_error "deleting it again is 404" 404 NotFoundError
check "B's posts were never touched" test "$(psql_q "SELECT count(*) FROM blog_posts WHERE organization_id = 'org_01B'")" = 3

# --- totals come from counts kept with the rows: exact after every kind of write
totals_agree() { # label
    local pub org_a
    pub=$(psql_q "SELECT count(*) FROM blog_posts WHERE status = 'published'")
    org_a=$(psql_q "SELECT count(*) FROM blog_posts WHERE status = 'published' OR organization_id = 'org_01A'")
    as anon GET '/api/blog-posts?pagination[pageSize]=1'
    expect_json "$1: the public total is the published count ($pub)" ".meta.pagination.total == $pub"
    as "$T_mA" GET '/api/blog-posts?pagination[page]=999'
    expect_json "$1: a member's total, on a page past the end too ($org_a)" ".meta.pagination.total == $org_a and .data == []"
}
totals_agree "after the writes above"
as "$T_aA" POST /api/blog-posts '{"data":{"title":"count me","status":"published"}}'
expect_status "a post to count is created" 201
counted=$(jq -r .data.documentId <<<"$BODY")
totals_agree "after a create"
as "$T_mA" PUT "/api/blog-posts/$counted" '{"data":{"status":"draft"}}'
totals_agree "after a status change"
as "$T_mA" PUT "/api/blog-posts/$counted" '{"data":{"title":"count me still"}}'
totals_agree "after an edit that changes no status"
psql_q "INSERT INTO blog_posts (document_id, title, organization_id, status)
    SELECT 'k' || lpad(g::text, 23, '0'), 'bulk ' || g, CASE WHEN g % 2 = 0 THEN 'org_01A' ELSE 'org_01B' END,
           CASE WHEN g % 3 = 0 THEN 'draft' ELSE 'published' END FROM generate_series(1, 300) g"
totals_agree "after a bulk insert in SQL"
psql_q "UPDATE blog_posts SET organization_id = 'org_01B' WHERE title LIKE 'bulk %' AND organization_id = 'org_01A' AND status = 'draft'"
totals_agree "after moving drafts to another organization"
psql_q "UPDATE blog_posts SET status = 'archived' WHERE title LIKE 'bulk %' AND status = 'published' AND id % 5 = 0"
totals_agree "after archiving some"
psql_q "DELETE FROM blog_posts WHERE title LIKE 'bulk %'"
totals_agree "after a bulk delete"
check "the kept counts equal a count of the rows" test \
    "$(psql_q "SELECT count(*) FROM (SELECT organization_id, status, count(*) AS n FROM blog_posts GROUP BY 1, 2) r FULL JOIN (SELECT * FROM blog_post_counts WHERE n <> 0) c USING (organization_id, status) WHERE r.n IS DISTINCT FROM c.n")" = 0

# --- answers arrive whole: a connection is closed at once when its input was
# read to the end, never under an answer still on its way
big=$(head -c 60000 /dev/zero | tr '\0' x)
for i in 1 2 3 4 5 6 7 8 9 10; do
    as "$T_aA" POST /api/blog-posts "{\"data\":{\"title\":\"Big $i\",\"content\":\"$big<&>\"}}"
done
pids=()
for k in $(seq 1 20); do
    curl -gsS --max-time 30 -H "Authorization: Bearer $T_mA" \
        "http://127.0.0.1:$HTTP_PORT/api/blog-posts?filters[title][\$startsWith]=Big&pagination[pageSize]=100" \
        -o "$T_RUN/big$k" &
    pids+=($!)
done
wait "${pids[@]}"
whole=0
for k in $(seq 1 20); do
    jq -e '(.data | length) == 10 and all(.data[]; (.content | length) == 60003)' "$T_RUN/big$k" >/dev/null 2>&1 &&
        whole=$((whole + 1))
done
check "20 parallel 600 kB pages all arrive whole ($whole of 20)" test "$whole" = 20
pids=()
for k in $(seq 1 10); do
    curl -gsS --max-time 30 -H "Authorization: Bearer $T_aA" -H 'Content-Type: application/json' \
        --data-binary "{\"data\":{\"title\":\"Posted $k\",\"content\":\"$big\"}}" \
        "http://127.0.0.1:$HTTP_PORT/api/blog-posts" -o "$T_RUN/posted$k" &
    pids+=($!)
done
wait "${pids[@]}"
whole=0
for k in $(seq 1 10); do
    jq -e '(.data.content | length) == 60000' "$T_RUN/posted$k" >/dev/null 2>&1 && whole=$((whole + 1))
done
check "10 parallel 60 kB bodies are read and answered whole ($whole of 10)" test "$whole" = 10
