# The smoke suite that every web-server set-up must pass, with the same
# requests and the same answers whatever the server in front: health, the
# whole sign-in flow against the fake WorkOS, /api/users/me, an article's
# create/read/update/delete, and the suite's own answers to an oversized
# body, a wrong method and a bad token.  Sourced by the integration suites
# (60_servers.sh, 65_install.sh) after tests/lib.sh.
#
#   smoke NAME    runs against http://127.0.0.1:$HTTP_PORT; every check is
#                 named "NAME: ..."; sets SMOKE_JWT (the signed-in user's
#                 token) and SMOKE_BAD_TOKEN (a token that must be refused,
#                 and must never be logged).
#
# The server's programs must have WORKOS_REDIRECT_URI pointing at
# http://127.0.0.1:$HTTP_PORT/api/auth/workos/callback.

SMOKE_BAD_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6MSwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjQxMDAwMDAwMDB9.c21va2UtYmFkLXNpZ25hdHVyZS1zbW9rZS1iYWQtc2lnbmF0dXJl

# smoke_big: a JSON body of 1.1 MiB (over the suite's 1 MiB), made once.
smoke_big() {
    local f=$T_RUN/smoke-big.json
    [ -s "$f" ] || head -c 1153434 /dev/zero | tr '\0' 'a' |
        sed 's/^/{"data":{"title":"/; s/$/"}}/' >"$f"
    echo "$f"
}

smoke() {
    local s=$1 tag jar email loc cb doc
    tag=$(printf '%s' "$s" | tr -c 'A-Za-z0-9' '_')
    jar=$T_RUN/smoke-$tag.jar
    email=$(printf 'smoke-%s@example.com' "$tag" | tr 'A-Z_' 'a-z-')
    SMOKE_JWT=

    req GET /api/health
    expect_status "$s: health answers 200" 200
    expect_json "$s: health says the database is up" '.status == "ok" and .database == "up"'

    req GET /api/nothing/here
    expect_error "$s: an unknown path under /api is the suite's JSON 404" 404 NotFoundError "Not Found"

    # --- the whole sign-in flow, organization included
    fake POST /_fake/organizations '{"id":"org_01SMOKE","name":"Smoke Test"}' >/dev/null
    fake POST /_fake/users "{\"id\":\"user_01SMOKE$tag\",\"email\":\"$email\",\"first_name\":\"Smoke\",\"last_name\":\"$tag\"}" >/dev/null
    fake POST /_fake/memberships "{\"user_id\":\"user_01SMOKE$tag\",\"organization_id\":\"org_01SMOKE\",\"role\":\"admin\"}" >/dev/null
    rm -f "$jar"
    req GET "/api/auth/workos/login?organization=org_01SMOKE&login_hint=$(jq -rn --arg e "$email" '$e|@uri')" -c "$jar"
    expect_status "$s: login answers 302" 302
    loc=$(header Location)
    check "$s: login redirects to WorkOS AuthKit" grep -q "^$FAKE_URL/user_management/authorize?" <<<"$loc"
    check "$s: the redirect names this server's callback" \
        grep -q "redirect_uri=http%3A%2F%2F127.0.0.1%3A$HTTP_PORT%2Fapi%2Fauth%2Fworkos%2Fcallback" <<<"$loc"
    check "$s: login sets the state cookie" grep -q 'wos_login' "$jar"
    cb=$(curl -gsS --max-time 10 -o /dev/null -w '%{redirect_url}' "$loc")
    check "$s: WorkOS sends the browser back with a code" \
        grep -qE "^http://127.0.0.1:$HTTP_PORT/api/auth/workos/callback\?code=" <<<"$cb"
    req GET "${cb#http://127.0.0.1:"$HTTP_PORT"}" -b "$jar"
    expect_status "$s: the callback signs the user in" 200
    expect_json "$s: the callback answers the suite's JWT and the user" \
        "(.jwt|split(\".\")|length) == 3 and .user.email == \"$email\" and .user.organizationId == \"org_01SMOKE\" and .user.role == \"admin\""
    SMOKE_JWT=$(jq -r '.jwt // empty' <<<"$BODY" 2>/dev/null)

    req GET /api/users/me -H "Authorization: Bearer $SMOKE_JWT"
    expect_status "$s: /api/users/me answers 200 with the JWT" 200
    expect_json "$s: /api/users/me is the signed-in user, in the organization" \
        ".email == \"$email\" and .provider == \"workos\" and .organizationId == \"org_01SMOKE\" and .role == \"admin\""

    # --- an article, created, read, found, updated and deleted
    local auth=(-H "Authorization: Bearer $SMOKE_JWT") json=(-H 'Content-Type: application/json')
    req POST /api/articles "${auth[@]}" "${json[@]}" --data-binary "{\"data\":{\"title\":\"Smoke $tag\",\"content\":\"via $s\"}}"
    expect_status "$s: create answers 201" 201
    expect_json "$s: create answers the entry" ".data.title == \"Smoke $tag\" and .data.content == \"via $s\" and (.data.documentId|type) == \"string\""
    doc=$(jq -r '.data.documentId // "none"' <<<"$BODY" 2>/dev/null)
    req GET "/api/articles/$doc"
    expect_json "$s: read answers the entry" ".data.documentId == \"$doc\" and .data.title == \"Smoke $tag\""
    req GET "/api/articles?filters%5Btitle%5D%5B%24eq%5D=Smoke%20$tag&fields%5B0%5D=title"
    expect_json "$s: an encoded Strapi filter finds it" "(.data|length) == 1 and .data[0].documentId == \"$doc\""
    req GET "/api/articles?filters[title][\$eq]=Smoke%20$tag&pagination[pageSize]=5"
    expect_json "$s: a raw-bracket Strapi filter finds it" "(.data|length) == 1 and .meta.pagination.pageSize == 5"
    req PUT "/api/articles/$doc" "${auth[@]}" "${json[@]}" --data-binary '{"data":{"content":"updated"}}'
    expect_json "$s: update answers the changed entry" ".data.documentId == \"$doc\" and .data.content == \"updated\""
    req DELETE "/api/articles/$doc" "${auth[@]}"
    expect_status "$s: delete answers 204" 204
    req GET "/api/articles/$doc"
    expect_error "$s: the deleted entry is gone" 404 NotFoundError

    # --- the suite's own limits and refusals, in its JSON envelope
    req POST /api/articles "${auth[@]}" "${json[@]}" --data-binary "@$(smoke_big)"
    expect_error "$s: a 1.1 MiB body is the suite's 413" 413 PayloadTooLargeError
    req POST /api/users/me "${json[@]}" --data '{}'
    expect_error "$s: a wrong method is the suite's 405" 405 MethodNotAllowedError "Method Not Allowed"
    check "$s: the 405 names the allowed methods" grep -q 'GET' <<<"$(header Allow)"
    req GET /api/users/me -H "Authorization: Bearer $SMOKE_BAD_TOKEN"
    expect_error "$s: a bad token is the suite's 401" 401 UnauthorizedError
    req GET /api/users/me
    expect_error "$s: no token is the suite's 403" 403 ForbiddenError

    # --- the rest of the route table: /api/auth/ is the session program
    # (the content program would answer 404), /api/webhooks/ the webhook
    # program once it is installed; either way the answer is JSON
    req GET /api/auth/sessions
    check "$s: /api/auth/sessions reaches the session program, not the content 404 ($STATUS)" \
        test "$STATUS" != 404 -a "$STATUS" != 000
    expect_envelope "$s: /api/auth/sessions without a session answers in the JSON envelope"
    req POST /api/webhooks/workos -H 'Content-Type: application/json' --data '{}'
    expect_envelope "$s: an unsigned POST /api/webhooks/workos answers in the JSON envelope"
}
