# Sign in with WorkOS, end to end: lighttpd, login.fcgi and callback.fcgi,
# real Postgres, and the fake WorkOS over real HTTP.

fake POST /_fake/reset >/dev/null

# start_login JAR [QUERY]: GET /login with a cookie jar; sets LOC (the redirect).
start_login() {
    req GET "/api/auth/workos/login${2:+?$2}" -c "$1"
    LOC=$(header Location)
}

# at_workos: follow LOC at the fake WorkOS; sets CB (our callback URL).
at_workos() {
    CB=$(curl -gsS -o /dev/null -w '%{redirect_url}' "$LOC")
}

# finish JAR: call the callback URL CB with the jar's cookie.
finish() {
    req GET "${CB#http://127.0.0.1:$HTTP_PORT}" -b "$1"
}

# signin JAR QUERY: the whole browser flow.
signin() {
    start_login "$1" "$2" && at_workos && finish "$1"
}

jar() { echo "$T_RUN/jar.$1"; }

fake POST /_fake/users '{"id":"user_01JANE","email":"Jane.Doe@Example.com","first_name":"Jane","last_name":"Doe"}' >/dev/null

# --- login
start_login "$(jar a)" "login_hint=jane.doe%40example.com"
expect_status "login answers 302" 302
check "login redirects to the WorkOS authorize endpoint" grep -q "^$FAKE_URL/user_management/authorize?" <<<"$LOC"
q=${LOC#*\?}
has() { grep -q "\(^\|&\)$1\(&\|$\)" <<<"$q"; }
check "authorize URL has the client id" has "client_id=client_test"
check "authorize URL asks for a code" has "response_type=code"
check "authorize URL uses AuthKit" has "provider=authkit"
check "authorize URL uses PKCE S256" has "code_challenge_method=S256"
check "authorize URL has a code challenge" grep -qE '(^|&)code_challenge=[A-Za-z0-9_-]{43}(&|$)' <<<"$q"
check "authorize URL has a 256-bit state" grep -qE '(^|&)state=[A-Za-z0-9_-]{43}(&|$)' <<<"$q"
check "authorize URL has the encoded redirect URI" has "redirect_uri=http%3A%2F%2F127.0.0.1%3A$HTTP_PORT%2Fapi%2Fauth%2Fworkos%2Fcallback"
check "authorize URL passes the login hint encoded" has "login_hint=jane.doe%40example.com"
sc=$(header Set-Cookie)
check "state cookie is set, named after its state" grep -qE '^wos_login_[A-Za-z0-9_-]{12}=v2\.' <<<"$sc"
check "state cookie is HttpOnly" grep -q 'HttpOnly' <<<"$sc"
check "state cookie is SameSite=Lax" grep -q 'SameSite=Lax' <<<"$sc"
check "state cookie is limited to the auth routes" grep -q 'Path=/api/auth/workos;' <<<"$sc"
check "state cookie lives LOGIN_STATE_TTL" grep -q 'Max-Age=600' <<<"$sc"
check "state cookie is not Secure over plain http" bash -c "! grep -q Secure <<<'$sc'"
check "login is not cached" test "$(header Cache-Control)" = no-store
start_login "$(jar b)" "login_hint=$(printf 'a b&c=d' | jq -sRr @uri)"
check "an odd login hint is encoded, never pasted" grep -q 'login_hint=a%20b%26c%3Dd' <<<"$LOC"
state1=$(grep -oE 'state=[A-Za-z0-9_-]+' <<<"$q")
start_login "$(jar c)"
check "every login draws a fresh state" bash -c "! grep -q '$state1' <<<'$LOC'"

env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" JWT_SECRET="$JWT_SECRET" \
    WORKOS_API_KEY=sk_test_fake WORKOS_CLIENT_ID=client_test \
    WORKOS_REDIRECT_URI=https://app.example.com/cb WORKOS_COOKIE_PASSWORD="$WORKOS_COOKIE_PASSWORD" \
    WORKOS_API_BASE="$FAKE_URL" REQUEST_METHOD=GET REQUEST_URI=/api/auth/workos/login HTTPS=on \
    ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
    "$BIN_DIR/cgi-bin/login.fcgi" </dev/null >"$T_RUN/login.cgi" 2>&1
check "the state cookie is Secure when the request came over HTTPS" grep -q '^Set-Cookie: wos_login_[A-Za-z0-9_-]*=.*; Secure' "$T_RUN/login.cgi"

for bad in org_ 'org_bad!' 'org_a%20b' "org_$(printf 'A%.0s' $(seq 65))" acme '' 'org_x%2Fy'; do
    req GET "/api/auth/workos/login?organization=$bad"
    expect_error "organization \"$bad\" is refused with 400" 400 ValidationError
    check "organization \"$bad\" gets no redirect" test -z "$(header Location)"
done
fake POST /_fake/organizations '{"id":"org_01ACME","name":"Acme"}' >/dev/null
start_login "$(jar d)" "organization=org_01ACME"
check "an organization scopes the login as organization_id" grep -q 'organization_id=org_01ACME' <<<"$LOC"
check "the organization is not sent under the ignored name" bash -c "! grep -q '[?&]organization=' <<<'$LOC'"

env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" JWT_SECRET="$JWT_SECRET" \
    WORKOS_CLIENT_ID=client_test REQUEST_METHOD=GET REQUEST_URI=/api/auth/workos/login \
    "$BIN_DIR/cgi-bin/login.fcgi" </dev/null >/dev/null 2>"$T_RUN/login.err"
check "login refuses to start without WORKOS_API_KEY" grep -q 'WORKOS_API_KEY: is required' "$T_RUN/login.err"

# --- a new user, then the same user again
before=$(fake_stat authenticate)
signin "$(jar new)" "login_hint=jane.doe%40example.com"
expect_status "a new user signs in" 200
expect_json "the answer has the suite's JWT" '(.jwt|type) == "string" and (.jwt|split(".")|length) == 3'
expect_json "the answer has the user" '.user.email == "jane.doe@example.com" and .user.username == "Jane Doe" and (.user.documentId|test("^[a-z][a-z0-9]{23}$")) and .user.organizationId == null and .user.role == null'
check "the callback is not cached" test "$(header Cache-Control)" = no-store
check "the callback clears the state cookie" grep -qE '^wos_login_[A-Za-z0-9_-]{12}=; .*Max-Age=0' <<<"$(header Set-Cookie)"
check "the code was exchanged once" test "$(fake_stat authenticate)" = $((before + 1))
jane_id=$(jq -r .user.id <<<"$BODY")
jwt=$(jq -r .jwt <<<"$BODY")
payload=$(b64url_json "$(cut -d. -f2 <<<"$jwt")")
check "the JWT carries the user id" jq -e ".id == $jane_id and .organizationId == null and (.exp - .iat) == 2592000" <<<"$payload"
req GET /api/users/me -H "Authorization: Bearer $jwt"
expect_json "the JWT opens /api/users/me" ".id == $jane_id and .provider == \"workos\" and .confirmed == true and .firstName == \"Jane\" and .lastName == \"Doe\""
check "the user is stored with the WorkOS id and lower-case e-mail" \
    test "$(psql_q "SELECT workos_user_id || ' ' || email FROM users WHERE id = $jane_id")" = "user_01JANE jane.doe@example.com"

fake POST /_fake/users '{"id":"user_01JANE","email":"Jane.Doe@Example.com","first_name":"Janet","last_name":"Doe-Smith"}' >/dev/null
signin "$(jar again)" "login_hint=jane.doe%40example.com"
expect_status "a returning user signs in" 200
expect_json "a returning user keeps the same id" ".user.id == $jane_id"
req GET /api/users/me -H "Authorization: Bearer $(jq -r .jwt <<<"$BODY")"
expect_json "a returning user's names are refreshed, the username is kept" '.firstName == "Janet" and .lastName == "Doe-Smith" and .username == "Jane Doe"'

# Same name, different people.
fake POST /_fake/users '{"id":"user_01JANE2","email":"jane.doe@other.example","first_name":"Janet","last_name":"Doe-Smith"}' >/dev/null
signin "$(jar jane2)" "login_hint=jane.doe%40other.example"
expect_status "a second person with the same name signs in" 200
expect_json "the second person is another user" ".user.id != $jane_id and .user.username == \"Janet Doe-Smith\""
fake POST /_fake/users '{"id":"user_01JANE3","email":"jane@third.example","first_name":"Jane","last_name":"Doe"}' >/dev/null
signin "$(jar jane3)" "login_hint=jane%40third.example"
expect_json "a third person named like the first gets a numbered username" ".user.id != $jane_id and .user.username == \"Jane Doe1\""

# Usernames are unique, as in Strapi: joe and joe1, never two joe.
fake POST /_fake/users '{"id":"user_01JOECOM","email":"joe@example.com"}' >/dev/null
fake POST /_fake/users '{"id":"user_01JOEORG","email":"joe@example.org"}' >/dev/null
signin "$(jar joecom)" "login_hint=joe%40example.com"
expect_json "joe@example.com is joe" '.user.username == "joe"'
signin "$(jar joeorg)" "login_hint=joe%40example.org"
expect_json "joe@example.org is joe1" '.user.username == "joe1"'
check "no username is held twice" test -z "$(psql_q "SELECT username FROM users GROUP BY 1 HAVING count(*) > 1")"
# A username is not rewritten at each sign-in (names follow WorkOS).
fake POST /_fake/users '{"id":"user_01DEV","email":"dev@example.com"}' >/dev/null
signin "$(jar dev1)" "login_hint=dev%40example.com"
expect_json "dev@example.com is dev" '.user.username == "dev"'
fake POST /_fake/users '{"id":"user_01DEV","email":"dev@example.com","first_name":"DEV"}' >/dev/null
signin "$(jar dev2)" "login_hint=dev%40example.com"
expect_json "dev stays dev when WorkOS says DEV" '.user.username == "dev"'
req GET /api/users/me -H "Authorization: Bearer $(jq -r .jwt <<<"$BODY")"
expect_json "... while the first name follows WorkOS" '.username == "dev" and .firstName == "DEV"'

# An account made before WorkOS (same e-mail, other case) is linked when verified.
psql_q "INSERT INTO users (document_id, username, email, provider, confirmed, role_id) SELECT 'mixedcaseuser00000000000', 'mixed', 'mixed.case@example.com', 'local', true, id FROM roles WHERE type = 'authenticated'" >/dev/null
mixed_id=$(psql_q "SELECT id FROM users WHERE email = 'mixed.case@example.com'")
fake POST /_fake/users '{"id":"user_01MIXED","email":"Mixed.CASE@Example.COM","first_name":"Mix","last_name":"Case"}' >/dev/null
signin "$(jar mixed)" "login_hint=mixed.case%40example.com"
expect_json "a mixed-case e-mail finds the same user" ".user.id == $mixed_id and .user.email == \"mixed.case@example.com\""

# An unverified e-mail must not take over an existing account.
psql_q "INSERT INTO users (document_id, username, email, provider, confirmed, role_id) SELECT 'victimuser00000000000000', 'victim', 'victim@example.com', 'local', true, id FROM roles WHERE type = 'authenticated'" >/dev/null
fake POST /_fake/users '{"id":"user_01ATTACKER","email":"Victim@Example.com","email_verified":false}' >/dev/null
users_before=$(psql_q "SELECT count(*) FROM users")
signin "$(jar attacker)" "login_hint=victim%40example.com"
expect_error "an unverified e-mail colliding with an account is 403" 403 ForbiddenError
check "nothing changed: the account is not linked" test -z "$(psql_q "SELECT workos_user_id FROM users WHERE email = 'victim@example.com'")"
check "nothing changed: no user created" test "$(psql_q "SELECT count(*) FROM users")" = "$users_before"
check "no JWT is answered" bash -c "! jq -e .jwt <<<'$BODY'"

# A long display name is cut between characters, never refused.
fake POST /_fake/users "$(jq -nc --arg f "$(printf 'é%.0s' $(seq 130))" --arg l "$(printf 'ü%.0s' $(seq 130))" \
    '{id:"user_01LONG", email:"long.name@example.com", first_name:$f, last_name:$l}')" >/dev/null
signin "$(jar long)" "login_hint=long.name%40example.com"
expect_status "a user with a 261-character name signs in" 200
expect_json "the username is cut to 255 characters" '(.user.username|length) == 255'
expect_json "the cut falls between characters" '.user.username | test("^é+ ü+$")'

# An account already linked to another WorkOS user is not taken over.
psql_q "INSERT INTO users (document_id, username, email, provider, workos_user_id, confirmed, role_id) SELECT 'linkeduser00000000000000', 'linked', 'linked@example.com', 'workos', 'user_01OLDID', true, id FROM roles WHERE type = 'authenticated'" >/dev/null
fake POST /_fake/users '{"id":"user_01NEWID","email":"Linked@example.com"}' >/dev/null
signin "$(jar linked)" "login_hint=linked%40example.com"
expect_error "a verified e-mail of an account linked to another WorkOS user is 403" 403 ForbiddenError "This e-mail belongs to an account linked to another WorkOS user"
check "the linked account keeps its WorkOS user" test "$(psql_q "SELECT workos_user_id FROM users WHERE email = 'linked@example.com'")" = user_01OLDID

# An organization session whose token carries no role is refused, not guessed.
start_login "$(jar norole)" "organization=org_01ACME"
st_nr=$(grep -oE 'state=[^&]+' <<<"$LOC" | cut -d= -f2)
ch_nr=$(grep -oE 'code_challenge=[^&]+' <<<"$LOC" | cut -d= -f2)
code_nr=$(fake POST /_fake/codes "{\"user_id\":\"user_01JANE\",\"organization_id\":\"org_01ACME\",\"code_challenge\":\"$ch_nr\"}" | jq -r .code)
users_nr=$(psql_q "SELECT count(*) FROM memberships")
req GET "/api/auth/workos/callback?code=$code_nr&state=$st_nr" -b "$(jar norole)"
expect_error "an organization token without a role is 502" 502 BadGatewayError
check "no membership was recorded without a role" test "$(psql_q "SELECT count(*) FROM memberships")" = "$users_nr"

# --- organizations and roles
fake POST /_fake/users '{"id":"user_01ORGA","email":"admin@acme.example","first_name":"Ada","last_name":"Admin"}' >/dev/null
fake POST /_fake/memberships '{"user_id":"user_01ORGA","organization_id":"org_01ACME","role":"admin"}' >/dev/null
signin "$(jar orga)" "organization=org_01ACME&login_hint=admin%40acme.example"
expect_status "an organization-scoped login succeeds" 200
expect_json "the answer carries the organization and its role" '.user.organizationId == "org_01ACME" and .user.role == "admin"'
orgjwt=$(jq -r .jwt <<<"$BODY")
req GET /api/users/me -H "Authorization: Bearer $orgjwt"
expect_json "/api/users/me carries the organization and role" '.organizationId == "org_01ACME" and .role == "admin"'
check "the organization is recorded" test "$(psql_q "SELECT count(*) FROM organizations WHERE id = 'org_01ACME'")" = 1
check "the membership is recorded with its role" test "$(psql_q "SELECT role_slug || '/' || status FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'admin@acme.example'")" = "admin/active"
fake POST /_fake/memberships '{"user_id":"user_01ORGA","organization_id":"org_01ACME","role":"viewer"}' >/dev/null
signin "$(jar orga2)" "organization=org_01ACME&login_hint=admin%40acme.example"
expect_json "a changed WorkOS role is recorded at the next sign-in" '.user.role == "viewer"'

# --- bad state: WorkOS is never called
start_login "$(jar s1)" "login_hint=jane.doe%40example.com" && at_workos
good_cb=$CB
cb_path=${CB#http://127.0.0.1:$HTTP_PORT}
code=$(grep -oE 'code=[^&]+' <<<"$CB" | cut -d= -f2)
before=$(fake_stat authenticate)
req GET "/api/auth/workos/callback?code=$code" -b "$(jar s1)"
expect_error "a missing state is 400" 400 ValidationError "Missing state"
req GET "/api/auth/workos/callback?code=$code&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" -b "$(jar s1)"
expect_error "a wrong state is 400" 400 ValidationError
req GET "$cb_path"
expect_error "no state cookie is 400" 400 ValidationError
start_login "$(jar other)"
req GET "$cb_path" -b "$(jar other)"
expect_error "another browser's cookie is 400" 400 ValidationError
cookie=$(awk '$6 ~ /^wos_login_/ {print $7}' "$(jar s1)")
cname=$(awk '$6 ~ /^wos_login_/ {print $6}' "$(jar s1)")
tampered="${cookie:0:20}$( [ "${cookie:20:1}" = A ] && echo B || echo A)${cookie:21}"
req GET "$cb_path" -H "Cookie: $cname=$tampered"
expect_error "a tampered cookie is 400" 400 ValidationError "Invalid login state cookie"
req GET "$cb_path" -H "Cookie: $cname=v2.9999999999.x.y.z.w"
expect_error "a forged cookie is 400" 400 ValidationError
# An authentic but expired cookie, signed here with the same derivation.
st=$(grep -oE 'state=[^&]+' <<<"$CB" | cut -d= -f2)
ver=$(cut -d. -f4 <<<"$cookie")
key=$(printf 'workos-strapi-c login-state cookie v1' | openssl dgst -sha256 -hmac "$WORKOS_COOKIE_PASSWORD" -binary | od -An -tx1 | tr -d ' \n')
body="v2.$(( $(date +%s) - 5 )).$st.$ver."
mac=$(printf '%s' "$body" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')
req GET "$cb_path" -H "Cookie: $cname=$body.$mac"
expect_error "an expired state is 400" 400 ValidationError
check "the error says the state expired" grep -q 'expired' <<<"$BODY"
check "no bad state reached WorkOS" test "$(fake_stat authenticate)" = "$before"
req GET "/api/auth/workos/callback?error=access_denied&error_description=forged" -b "$(jar s1)"
expect_error "an error link without the state is refused like any bad state" 400 ValidationError "Missing state"
check "a forged error link does not clear the sign-in in progress" test -z "$(header Set-Cookie)"
req GET "/api/auth/workos/callback?error=access_denied&error_description=%3Cb%3EUser%20said%20no%3C%2Fb%3E&state=$st" -b "$(jar s1)"
expect_error "an error from WorkOS is 401" 401 UnauthorizedError
expect_json "the WorkOS error code is named in a fixed message" '.error.message | contains("access_denied")'
check "the link's free text is never echoed" bash -c "! grep -q 'User said no' <<<'$BODY'"
check "an error callback makes no exchange" test "$(fake_stat authenticate)" = "$before"
req GET "/api/auth/workos/callback?error=x%22%20user%3D%22admin%22%20action%3D%22granted&state=$st" -b "$(jar s1)"
check "a quote in the error link cannot forge a field in the log" \
    grep -qF 'error "x\x22 user=\x22admin\x22 action=\x22granted"' "$T_RUN/error.log"
req GET "/api/auth/workos/callback?state=$st" -b "$(jar s1)"
expect_error "a missing code is 400" 400 ValidationError "Missing code"

# The good callback still works (state, code and cookie untouched), once.
req GET "$cb_path" -b "$(jar s1)"
expect_status "the genuine callback succeeds" 200
req GET "$cb_path" -b "$(jar s1)"
expect_error "a replayed code is 401" 401 UnauthorizedError "Authentication failed"

fake POST /_fake/config '{"code_ttl":1}' >/dev/null
start_login "$(jar exp)" "login_hint=jane.doe%40example.com" && at_workos
sleep 2
finish "$(jar exp)"
expect_error "an expired code is 401" 401 UnauthorizedError
fake POST /_fake/config '{"code_ttl":600}' >/dev/null

# --- WorkOS failing
# The forged tokens below name unknown key ids, and the key rotations
# after them must be picked up at once: no JWKS cooldown here (the
# cooldown itself is tested at the end).
lighttpd_stop
WORKOS_JWKS_COOLDOWN=0 lighttpd_start || t_fail "lighttpd restarts with WORKOS_JWKS_COOLDOWN=0"
fault() { # name fault-json status error-name
    fake POST /_fake/faults "$2" >/dev/null
    signin "$(jar f)" "login_hint=jane.doe%40example.com"
    expect_error "$1 is $3" "$3" "$4"
    fake DELETE /_fake/faults >/dev/null
}
users_before=$(psql_q "SELECT count(*) FROM users")
fault "WorkOS 500" '{"endpoint":"authenticate","kind":"status","status":500}' 502 BadGatewayError
fault "WorkOS 429" '{"endpoint":"authenticate","kind":"status","status":429}' 502 BadGatewayError
fault "WorkOS 400 invalid_grant" '{"endpoint":"authenticate","kind":"status","status":400,"body":{"error":"invalid_grant","error_description":"x"}}' 401 UnauthorizedError
fault "a WorkOS step-up (403)" '{"endpoint":"authenticate","kind":"status","status":403,"body":{"code":"organization_selection_required","message":"pick one","pending_authentication_token":"p"}}' 403 ForbiddenError
check "the step-up is named" grep -q organization_selection_required <<<"$BODY"
fault "malformed JSON from WorkOS" '{"endpoint":"authenticate","kind":"malformed"}' 502 BadGatewayError
fault "a dropped connection" '{"endpoint":"authenticate","kind":"drop"}' 502 BadGatewayError
fault "no answer within WORKOS_TIMEOUT" '{"endpoint":"authenticate","kind":"delay","ms":5000}' 504 GatewayTimeoutError
fault "an access token signed with another key" '{"endpoint":"authenticate","kind":"forge","how":"wrong_key"}' 401 UnauthorizedError
fault "an alg:none access token" '{"endpoint":"authenticate","kind":"forge","how":"alg_none"}' 401 UnauthorizedError
fault "an expired access token" '{"endpoint":"authenticate","kind":"forge","how":"expired"}' 401 UnauthorizedError
fault "an access token with an unknown kid" '{"endpoint":"authenticate","kind":"forge","how":"unknown_kid"}' 401 UnauthorizedError
fault "an HS256 access token keyed with the public key" '{"endpoint":"authenticate","kind":"forge","how":"hs256"}' 401 UnauthorizedError
fault "an access token from another issuer" '{"endpoint":"authenticate","kind":"forge","how":"wrong_iss"}' 401 UnauthorizedError
fault "a tampered access token" '{"endpoint":"authenticate","kind":"forge","how":"tampered"}' 401 UnauthorizedError
check "failed sign-ins recorded no user" test "$(psql_q "SELECT count(*) FROM users")" = "$users_before"

# Key rotation: the cached JWKS misses the new kid and is fetched again once.
jwks_before=$(fake_stat jwks)
fake POST /_fake/rotate-key '{}' >/dev/null
signin "$(jar rot)" "login_hint=jane.doe%40example.com"
expect_status "a rotated signing key is picked up" 200
check "the JWKS was fetched again once" test "$(fake_stat jwks)" = $((jwks_before + 1))

# Rotated again while the JWKS cannot be fetched: WorkOS is failing, 502.
fake POST /_fake/rotate-key '{}' >/dev/null
fault "a new key whose JWKS cannot be fetched" '{"endpoint":"jwks","kind":"status","status":500,"count":-1}' 502 BadGatewayError
check "a refused JWKS recorded no user" test "$(psql_q "SELECT count(*) FROM users")" = "$users_before"

# A blocked user gets no token.
psql_q "UPDATE users SET blocked = true WHERE id = $jane_id"
signin "$(jar blocked)" "login_hint=jane.doe%40example.com"
expect_error "a blocked user is 401" 401 UnauthorizedError
psql_q "UPDATE users SET blocked = false WHERE id = $jane_id"

# --- twenty parallel first sign-ins of one new person
fake POST /_fake/users '{"id":"user_01PARALLEL","email":"Para.Llel@example.com","first_name":"Para"}' >/dev/null
cbs=()
for i in $(seq 1 20); do
    start_login "$(jar p$i)" "login_hint=para.llel%40example.com" && at_workos
    cbs+=("$CB")
done
par=()
for i in $(seq 1 20); do
    curl -gsS -o "$T_RUN/par.body.$i" -w '%{http_code}\n' -b "$(jar p$i)" "${cbs[$((i - 1))]}" >"$T_RUN/par.st.$i" &
    par+=($!)
done
wait "${par[@]}"
check "all twenty parallel first sign-ins succeed" test "$(cat "$T_RUN"/par.st.* | sort -u)" = 200
check "twenty parallel first sign-ins make exactly one user" test "$(psql_q "SELECT count(*) FROM users WHERE email = 'para.llel@example.com'")" = 1
check "they all got the same user" test "$(cat "$T_RUN"/par.body.* | jq -r .user.id | sort -u | wc -l)" = 1

# --- twenty-four parallel first sign-ins of different people with one
# username (six for each of the four callback processes): they take turns
# choosing it, so none runs out of choices
for i in $(seq 1 24); do
    fake POST /_fake/users "{\"id\":\"user_01SAM$i\",\"email\":\"sam@s$i.example\"}" >/dev/null
done
cbs=()
for i in $(seq 1 24); do
    start_login "$(jar sam$i)" "login_hint=sam%40s$i.example" && at_workos
    cbs+=("$CB")
done
par=()
for i in $(seq 1 24); do
    curl -gsS -o "$T_RUN/sam.body.$i" -w '%{http_code}\n' -b "$(jar sam$i)" "${cbs[$((i - 1))]}" >"$T_RUN/sam.st.$i" &
    par+=($!)
done
wait "${par[@]}"
check "twenty-four parallel first sign-ins of people named alike succeed" test "$(cat "$T_RUN"/sam.st.* | sort -u)" = 200
check "they got twenty-four users" test "$(psql_q "SELECT count(*) FROM users WHERE email LIKE 'sam@s%.example'")" = 24
check "... with twenty-four usernames (sam, sam1, ...)" test "$(cat "$T_RUN"/sam.body.* | jq -r .user.username | sort -u | grep -c '^sam[0-9]*$')" = 24
# The turn itself: a first sign-in whose username base's turn is held
# waits for it, then takes the name.
fake POST /_fake/users '{"id":"user_01TURN","email":"turn@t.example"}' >/dev/null
start_login "$(jar turn)" "login_hint=turn%40t.example" && at_workos
hold_turn 4702120 turn 2 || t_fail "the username base's turn is held"
curl -gsS -o "$T_RUN/turn.body" -w '%{http_code}' -b "$(jar turn)" "$CB" >"$T_RUN/turn.st" &
cb_pid=$!
check "a first sign-in whose username base's turn is held waits for it" turn_waited 4702120
wait "$TURN_PID" "$cb_pid"
check "... then signs in as turn" test "$(cat "$T_RUN/turn.st") $(jq -r .user.username "$T_RUN/turn.body")" = "200 turn"
check "no username is held twice, even after parallel sign-ins" test -z "$(psql_q "SELECT username FROM users GROUP BY 1 HAVING count(*) > 1")"
check "the database refuses a second holder of a username" bash -c "! psql -X -q -v ON_ERROR_STOP=1 '$DATABASE_URL' -c \"UPDATE users SET username = 'sam' WHERE email = 'sam@s1.example' OR email = 'sam@s2.example'\" 2>/dev/null"

# Nothing secret in the logs (which exist and hold the sign-ins).
logs="$T_RUN/error.log $T_RUN/lighttpd.stderr"
check "the server log records the sign-in programs' lines" grep -q 'callback.fcgi' "$T_RUN/error.log"
check "the API key is not logged" bash -c "! grep -qF sk_test_fake $logs"
check "codes are not logged" bash -c "! grep -qF '$code' $logs"
check "the cookie password is not logged" bash -c "! grep -qF '$WORKOS_COOKIE_PASSWORD' $logs"
check "WorkOS error codes are logged" grep -q 'error "invalid_grant"' "$T_RUN/error.log"
check "WorkOS request ids are logged" grep -q 'request id "req_' "$T_RUN/error.log"

# --- a WorkOS custom authentication domain: the access tokens' `iss` is
# that domain, not the API's URL.  Without WORKOS_ISSUER the suite refuses
# them; with WORKOS_ISSUER set to the domain, sign-in works.
fake POST /_fake/config '{"issuer":"https://auth.example.com"}' >/dev/null
fake POST /_fake/users '{"id":"user_01CUSTOM","email":"custom.domain@example.com","first_name":"Cus"}' >/dev/null
signin "$(jar iss1)" "login_hint=custom.domain%40example.com"
expect_error "an access token from a custom domain, without WORKOS_ISSUER, is refused" 401 UnauthorizedError
lighttpd_stop
WORKOS_ISSUER=https://auth.example.com lighttpd_start || t_fail "lighttpd restarts with WORKOS_ISSUER"
signin "$(jar iss2)" "login_hint=custom.domain%40example.com"
expect_status "with WORKOS_ISSUER set to the custom domain, sign-in works" 200
expect_json "... and answers the user" '.user.email == "custom.domain@example.com" and (.jwt|split(".")|length) == 3'
fake POST /_fake/config '{"issuer":null}' >/dev/null
signin "$(jar iss3)" "login_hint=custom.domain%40example.com"
expect_error "with WORKOS_ISSUER set, a token naming the API's URL is refused" 401 UnauthorizedError

# --- JWKS refetches on an unknown key id have a cooldown (WORKOS_JWKS_COOLDOWN,
# per process): one callback process, so the fake's counts are that process's.
lighttpd_stop
MAX_PROCS=1 lighttpd_start || t_fail "lighttpd restarts with the default JWKS cooldown"
jwks0=$(fake_stat jwks)
st_uk=""
for i in 1 2 3 4 5; do
    fake POST /_fake/faults '{"endpoint":"authenticate","kind":"forge","how":"unknown_kid"}' >/dev/null
    signin "$(jar uk$i)" "login_hint=jane.doe%40example.com"
    st_uk="$st_uk $STATUS"
done
check "five sign-ins with tokens naming unknown key ids are refused (401)" test "$st_uk" = " 401 401 401 401 401"
check "... and fetch the JWKS at most once (the first fetch of the process)" test $(( $(fake_stat jwks) - jwks0 )) -le 1
check "the log says the key id is unknown and the refetch is cooling down" \
    grep -q 'unknown key id; the JWKS refetch is cooling down' "$T_RUN/error.log"
jwks1=$(fake_stat jwks)
signin "$(jar ukok)" "login_hint=jane.doe%40example.com"
expect_status "meanwhile a token signed with the known key signs in" 200
check "... from the keys in hand" test "$(fake_stat jwks)" = "$jwks1"
fake POST /_fake/rotate-key '{}' >/dev/null
signin "$(jar ukrot)" "login_hint=jane.doe%40example.com"
expect_error "a key rotated within the cooldown is refused" 401 UnauthorizedError
check "... without fetching the JWKS" test "$(fake_stat jwks)" = "$jwks1"

# A JWKS that cannot be fetched, with no keys in hand: 502, and the
# following sign-ins do not each ask again (held back 5 s after a failure).
lighttpd_stop
MAX_PROCS=1 lighttpd_start || t_fail "lighttpd restarts for the failing JWKS"
fake POST /_fake/faults '{"endpoint":"jwks","kind":"status","status":500,"count":-1}' >/dev/null
jwks2=$(fake_stat jwks)
st_jf=""
for i in 1 2 3; do
    signin "$(jar jf$i)" "login_hint=jane.doe%40example.com"
    st_jf="$st_jf $STATUS"
done
check "sign-ins while the JWKS cannot be fetched are 502" test "$st_jf" = " 502 502 502"
check "... and fetch the JWKS fewer times than they sign in" test $(( $(fake_stat jwks) - jwks2 )) -lt 3
check "the log says when the JWKS is tried again" grep -q 'no WorkOS JWKS in hand: the last fetch failed; trying again in' "$T_RUN/error.log"
fake DELETE /_fake/faults >/dev/null
sleep 6
signin "$(jar jfok)" "login_hint=jane.doe%40example.com"
expect_status "once WorkOS serves the JWKS again, sign-in works" 200

# With a short cooldown a genuinely rotated key is picked up once it passed.
lighttpd_stop
WORKOS_JWKS_COOLDOWN=2 MAX_PROCS=1 lighttpd_start || t_fail "lighttpd restarts with WORKOS_JWKS_COOLDOWN=2"
signin "$(jar cd1)" "login_hint=jane.doe%40example.com"
expect_status "a sign-in with WORKOS_JWKS_COOLDOWN=2" 200
jwks3=$(fake_stat jwks)
fake POST /_fake/rotate-key '{}' >/dev/null
sleep 3
signin "$(jar cd2)" "login_hint=jane.doe%40example.com"
expect_status "a key rotated after the cooldown passed is picked up" 200
check "... with exactly one more JWKS fetch" test "$(fake_stat jwks)" = $((jwks3 + 1))

env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" JWT_SECRET="$JWT_SECRET" \
    WORKOS_API_KEY=sk_test_fake WORKOS_CLIENT_ID=client_test WORKOS_JWKS_COOLDOWN=2d \
    WORKOS_REDIRECT_URI=https://app.example.com/cb WORKOS_COOKIE_PASSWORD="$WORKOS_COOKIE_PASSWORD" \
    WORKOS_API_BASE="$FAKE_URL" REQUEST_METHOD=GET REQUEST_URI=/api/auth/workos/callback \
    ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
    "$BIN_DIR/cgi-bin/callback.fcgi" </dev/null >/dev/null 2>"$T_RUN/cooldown.err"
check "a WORKOS_JWKS_COOLDOWN over a day stops the program with a line naming it" \
    grep -q 'WORKOS_JWKS_COOLDOWN: must be between 0s and 86400s' "$T_RUN/cooldown.err"
