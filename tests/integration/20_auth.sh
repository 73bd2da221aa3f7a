# The suite's own JWTs and /api/users/me.

uid=$(mkuser "Jane.Doe@Example.com")
psql_q "UPDATE users SET first_name = 'Jane', last_name = 'Doe' WHERE id = $uid"
psql_q "INSERT INTO organizations (id, name) VALUES ('org_01TESTACME', 'Acme')"
psql_q "INSERT INTO memberships (user_id, organization_id, role_slug) VALUES ($uid, 'org_01TESTACME', 'admin')"
tok=$(token --id "$uid")
tok_org=$(token --id "$uid" --org org_01TESTACME)

req GET /api/users/me -H "Authorization: Bearer $tok"
expect_status "users/me with a valid token is 200" 200
expect_json "users/me has Strapi's user fields" \
    '(.id|type) == "number" and (.documentId|test("^[a-z][a-z0-9]{23}$")) and .username == "Jane.Doe" and .email == "jane.doe@example.com" and .provider == "workos" and .confirmed == true and .blocked == false and (.createdAt|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$")) and (.updatedAt|type) == "string"'
expect_json "users/me carries the names" '.firstName == "Jane" and .lastName == "Doe"'
expect_json "users/me without an organization claim has none" '.organizationId == null and .role == null'
expect_json "users/me has no data envelope and no secret column" '(has("data")|not) and (has("password")|not) and (has("workos_user_id")|not)'
check "users/me is not cached" test "$(header Cache-Control)" = no-store

# users/me reads its whole query as the users-permissions me controller does.
req GET '/api/users/me?fields[0]=email' -H "Authorization: Bearer $tok"
expect_json "users/me answers only the asked fields" 'keys_unsorted == ["id","documentId","email"] and .email == "jane.doe@example.com"'
req GET '/api/users/me?fields=username,lastName' -H "Authorization: Bearer $tok"
expect_json "users/me fields, comma form" 'keys_unsorted == ["id","documentId","username","lastName"]'
req GET '/api/users/me?fields[0]=nope' -H "Authorization: Bearer $tok"
expect_error "users/me with an unknown field is 400" 400 ValidationError "Invalid key nope"
expect_json "the fields error names its parameter" '.error.details.param == "fields" and .error.details.key == "nope"'
req GET '/api/users/me?fields[0]=password' -H "Authorization: Bearer $tok"
expect_error "users/me never offers a password field" 400 ValidationError "Invalid key password"
req GET '/api/users/me?filters[x]=1' -H "Authorization: Bearer $tok"
expect_error "users/me with an unknown filter key is 400" 400 ValidationError "Invalid key x"
req GET '/api/users/me?filters[resetPasswordToken][$startsWith]=a' -H "Authorization: Bearer $tok"
expect_error "users/me refuses private attributes in filters" 400 ValidationError "Invalid key resetPasswordToken"
req GET '/api/users/me?sort=nope' -H "Authorization: Bearer $tok"
expect_error "users/me with an unknown sort key is 400" 400 ValidationError "Invalid key nope"
req GET '/api/users/me?filters[email][$eq]=jane.doe@example.com&filters[confirmed]=true&fields[0]=email' -H "Authorization: Bearer $tok"
expect_json "users/me applies matching filters" 'keys_unsorted == ["id","documentId","email"]'
req GET '/api/users/me?filters[email][$eq]=someone@example.com' -H "Authorization: Bearer $tok"
expect_error "users/me ANDs the filters with the user: no match is 404" 404 NotFoundError
req GET '/api/users/me?filters[blocked][$eq]=t' -H "Authorization: Bearer $tok"
expect_error "a boolean filter is cast as Strapi does (t)" 404 NotFoundError
req GET '/api/users/me?filters[confirmed]=maybe' -H "Authorization: Bearer $tok"
expect_error "a boolean filter value that is not one is 400" 400 ValidationError
req GET '/api/users/me?filters[createdAt][$gt]=2000&filters[organizationId][$null]=true&filters[username][$containsi]=JANE' -H "Authorization: Bearer $tok"
expect_status "users/me filters on dates, nulls and text" 200
req GET '/api/users/me?populate=role' -H "Authorization: Bearer $tok"
expect_status "users/me accepts populate=role, a relation of the Strapi user" 200
req GET '/api/users/me?populate=author' -H "Authorization: Bearer $tok"
expect_error "users/me refuses populating what is no relation" 400 ValidationError "Invalid key author"
req GET '/api/users/me?fields=*&populate=*' -H "Authorization: Bearer $tok"
expect_json "users/me with fields=* answers every key" 'has("username") and has("provider") and has("role")'

req GET /api/users/me -H "Authorization: Bearer $tok_org"
expect_json "users/me carries the organization verbatim and its role" '.organizationId == "org_01TESTACME" and .role == "admin"'

psql_q "UPDATE memberships SET status = 'inactive' WHERE user_id = $uid"
req GET /api/users/me -H "Authorization: Bearer $tok_org"
expect_json "an inactive membership is not shown" '.organizationId == null and .role == null'

req GET /api/users/me -H "authorization: bEaReR   $tok"
expect_status "the scheme is case-insensitive, spaces tolerated" 200

# No token: the public role lacks user.me -> 403 Forbidden.
req GET /api/users/me
expect_error "no token is 403 ForbiddenError" 403 ForbiddenError "Forbidden"
req GET /api/users/me -H "Authorization: Basic dXNlcjpwYXNz"
expect_error "a non-Bearer scheme counts as no token (403)" 403 ForbiddenError
req GET /api/users/me -H "Authorization: Bearer a b"
expect_error "three parts count as no token (403)" 403 ForbiddenError

# Bad tokens: 401, never a fall-back to public.
bad() { # name token
    req GET /api/users/me -H "Authorization: Bearer $2"
    expect_error "$1 is 401" 401 UnauthorizedError "Missing or invalid credentials"
}
b64u() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
sign() { printf '%s' "$1" | openssl dgst -sha256 -hmac "$2" -binary | b64u; }
hdr=$(printf '{"alg":"HS256","typ":"JWT"}' | b64u)
now=$(date +%s)
pl=$(printf '{"id":%s,"iat":%s,"exp":%s}' "$uid" "$now" $((now + 3600)) | b64u)
good="$hdr.$pl.$(sign "$hdr.$pl" "$JWT_SECRET")"
req GET /api/users/me -H "Authorization: Bearer $good"
expect_status "a token made by the test with the secret is accepted" 200

bad "garbage" "not-a-token"
bad "a truncated token" "${tok:0:40}"
bad "a token without its signature" "$hdr.$pl."
bad "a token with a flipped signature character" "$hdr.$pl.$(sign "$hdr.$pl" "$JWT_SECRET" | tr 'A-Za-z' 'B-ZAb-za')"
pl_other=$(printf '{"id":%s,"iat":%s,"exp":%s}' 999 "$now" $((now + 3600)) | b64u)
bad "a tampered payload" "$hdr.$pl_other.$(sign "$hdr.$pl" "$JWT_SECRET")"
bad "a wrong secret" "$hdr.$pl.$(sign "$hdr.$pl" "another-secret-of-more-than-32-bytes")"
none=$(printf '{"alg":"none","typ":"JWT"}' | b64u)
bad "alg none" "$none.$pl."
bad "alg none with a signature" "$none.$pl.$(sign "$none.$pl" "$JWT_SECRET")"
h384=$(printf '{"alg":"HS384","typ":"JWT"}' | b64u)
bad "alg HS384" "$h384.$pl.$(printf '%s' "$h384.$pl" | openssl dgst -sha384 -hmac "$JWT_SECRET" -binary | b64u)"
h512=$(printf '{"alg":"HS512"}' | b64u)
bad "alg HS512" "$h512.$pl.$(printf '%s' "$h512.$pl" | openssl dgst -sha512 -hmac "$JWT_SECRET" -binary | b64u)"
rs=$(printf '{"alg":"RS256","typ":"JWT"}' | b64u)
bad "alg RS256" "$rs.$pl.$(sign "$rs.$pl" "$JWT_SECRET")"
noalg=$(printf '{"typ":"JWT"}' | b64u)
bad "a missing alg" "$noalg.$pl.$(sign "$noalg.$pl" "$JWT_SECRET")"
bad "an expired token" "$(token --id "$uid" --expires-in -60s)"
noexp=$(printf '{"id":%s,"iat":%s}' "$uid" "$now" | b64u)
bad "a token without exp" "$hdr.$noexp.$(sign "$hdr.$noexp" "$JWT_SECRET")"
strid=$(printf '{"id":"%s","exp":%s}' "$uid" $((now + 3600)) | b64u)
bad "an id that is a string" "$hdr.$strid.$(sign "$hdr.$strid" "$JWT_SECRET")"
nbf_pl=$(printf '{"id":%s,"iat":%s,"nbf":%s,"exp":%s}' "$uid" "$now" $((now + 3600)) $((now + 7200)) | b64u)
bad "a token used an hour before its nbf" "$hdr.$nbf_pl.$(sign "$hdr.$nbf_pl" "$JWT_SECRET")"
nbf_ok=$(printf '{"id":%s,"iat":%s,"nbf":%s,"exp":%s}' "$uid" "$now" $((now - 5)) $((now + 3600)) | b64u)
req GET /api/users/me -H "Authorization: Bearer $hdr.$nbf_ok.$(sign "$hdr.$nbf_ok" "$JWT_SECRET")"
expect_status "a token past its nbf is accepted" 200
bad "a huge token" "$(head -c 6000 /dev/zero | tr '\0' 'a')"

# The user is reloaded on every request.
uid2=$(mkuser "blocked.person@example.com")
tok2=$(token --id "$uid2")
req GET /api/users/me -H "Authorization: Bearer $tok2"
expect_status "a second user signs in" 200
psql_q "UPDATE users SET blocked = true WHERE id = $uid2"
req GET /api/users/me -H "Authorization: Bearer $tok2"
expect_error "a blocked user is 401 at once" 401 UnauthorizedError "Invalid credentials"
psql_q "DELETE FROM users WHERE id = $uid2"
req GET /api/users/me -H "Authorization: Bearer $tok2"
expect_error "a deleted user is 401 at once" 401 UnauthorizedError "Invalid credentials"

# Permissions come from the table, at once.
psql_q "DELETE FROM permissions WHERE action = 'plugin::users-permissions.user.me'"
req GET /api/users/me -H "Authorization: Bearer $tok"
expect_error "removing user.me from the role is 403 at once" 403 ForbiddenError
psql_q "INSERT INTO permissions (role_id, action) SELECT id, 'plugin::users-permissions.user.me' FROM roles WHERE type = 'authenticated'"
req GET /api/users/me -H "Authorization: Bearer $tok"
expect_status "granting it back works at once" 200

# Secrets and tokens never reach the logs (which exist and hold the refusals).
check "the server log records refused tokens" grep -q 'refused a token' "$T_RUN/error.log"
check "the JWT secret is not in the server log" bash -c "! grep -qF '$JWT_SECRET' '$T_RUN/error.log' '$T_RUN/lighttpd.stderr'"
check "tokens are not in the server log" bash -c "! grep -qF '$tok' '$T_RUN/error.log' '$T_RUN/lighttpd.stderr'"

# bin/token --create takes a free username as every path that makes users
# does (sql/0005): the e-mail's local part, then local1, local2, ...
for tld in com org net; do
    token --email "tool.user@example.$tld" --create >/dev/null
done
check "token --create names users tool.user, tool.user1, tool.user2" \
    test "$(psql_q "SELECT string_agg(username, ',' ORDER BY id) FROM users WHERE email LIKE 'tool.user@example.%'")" = "tool.user,tool.user1,tool.user2"
