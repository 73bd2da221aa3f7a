# Sessions, end to end (DESIGN.md, "Sessions"): sign-in for API clients and
# browsers, refresh with rotation and reuse detection, logout, the session
# list, organization switching, CSRF and CORS, and hostile return_to values.
# Real lighttpd, session.fcgi, Postgres and the fake WorkOS over HTTP.

fake POST /_fake/reset >/dev/null

APP=http://app.example.test:5173
lighttpd_stop
export APP_ORIGINS="$APP https://other.example.test"
lighttpd_start || t_fail "lighttpd restarts with APP_ORIGINS"
SELF=http://127.0.0.1:$HTTP_PORT

jar() { echo "$T_RUN/jar.$1"; }

# login JAR QUERY: GET /login; LOC is the WorkOS URL.
login() {
    req GET "/api/auth/workos/login${2:+?$2}" -c "$1" -b "$1"
    LOC=$(header Location)
}
# workos USER: the fake signs USER in at once; CB is our callback URL.
workos() {
    CB=$(curl -gsS -o /dev/null -w '%{redirect_url}' "$LOC&user=$1")
}
# callback JAR: follow CB with the jar (cookies stored back into it).
callback() {
    req GET "${CB#"$SELF"}" -b "$1" -c "$1"
}
# api_signin USER [QUERY]: an API client's sign-in; BODY holds the answer.
api_signin() {
    local j
    j=$(jar "api-$1-$RANDOM")
    login "$j" "${2:-}" && workos "$1" && callback "$j"
}
claims() { b64url_json "$(cut -d. -f2 <<<"$1")"; }
refresh() { req POST /api/auth/refresh -H 'Content-Type: application/json' --data "{\"refreshToken\":\"$1\"}"; }
me() { req GET /api/users/me -H "Authorization: Bearer $1"; }
sid_of() { claims "$1" | jq -r .sid; }
cookie_of() { awk '$6 == "wos_session" {print $7}' "$1"; }

fake POST /_fake/organizations '{"id":"org_01ALPHA","name":"Alpha"}' >/dev/null
fake POST /_fake/organizations '{"id":"org_01BETA","name":"Beta"}' >/dev/null
fake POST /_fake/organizations '{"id":"org_01SSO","name":"Needs SSO","require_reauth":"sso_required"}' >/dev/null
fake POST /_fake/organizations '{"id":"org_01MFA","name":"Needs MFA","require_reauth":"mfa_enrollment"}' >/dev/null
fake POST /_fake/users '{"id":"user_01ANN","email":"ann@example.com","first_name":"Ann"}' >/dev/null
fake POST /_fake/users '{"id":"user_01BOB","email":"bob@example.com","first_name":"Bob"}' >/dev/null
fake POST /_fake/users '{"id":"user_01CAT","email":"cat@example.com","first_name":"Cat"}' >/dev/null
for o in org_01ALPHA org_01BETA org_01SSO org_01MFA; do
    fake POST /_fake/memberships "{\"user_id\":\"user_01ANN\",\"organization_id\":\"$o\",\"role\":\"admin\"}" >/dev/null
done
fake POST /_fake/memberships '{"user_id":"user_01CAT","organization_id":"org_01BETA","role":"member"}' >/dev/null

# ---------------------------------------------------------------- API client
api_signin user_01BOB
expect_status "an API client's sign-in answers 200" 200
expect_json "it answers jwt, refreshToken and user" '(.jwt|type) == "string" and (.refreshToken|test("^[a-z][a-z0-9]{23}\\.[A-Za-z0-9_-]{43}$")) and .user.email == "bob@example.com"'
bob_jwt=$(jq -r .jwt <<<"$BODY")
bob_rt=$(jq -r .refreshToken <<<"$BODY")
bob_id=$(jq -r .user.id <<<"$BODY")
bob_sid=$(sid_of "$bob_jwt")
check "the JWT carries the session id" grep -qE '^[a-z][a-z0-9]{23}$' <<<"$bob_sid"
check "the refresh token names the same session" test "${bob_rt%%.*}" = "$bob_sid"
check "an API client's JWT lives JWT_EXPIRES_IN" jq -e '(.exp - .iat) == 2592000' <<<"$(claims "$bob_jwt")"
row=$(psql_q "SELECT user_id || '|' || mode || '|' || (workos_session_id LIKE 'session_%') || '|' || (workos_refresh IS NOT NULL) || '|' || length(refresh_hash) || '|' || (ip IS NOT NULL) FROM sessions WHERE id = '$bob_sid'")
check "the sign-in made a sessions row (user, api mode, WorkOS sid, sealed WorkOS token, hash, ip)" test "$row" = "$bob_id|api|true|true|32|true"
check "the refresh secret is not stored in clear" test "$(psql_q "SELECT count(*) FROM sessions WHERE position('${bob_rt#*.}' IN coalesce(workos_refresh, '') || encode(refresh_hash, 'escape')) > 0")" = 0
check "idle and absolute expiry follow SESSION_IDLE_TTL and SESSION_MAX_TTL" test "$(psql_q "SELECT round(extract(epoch FROM idle_expires_at - created_at)) || ' ' || round(extract(epoch FROM expires_at - created_at)) FROM sessions WHERE id = '$bob_sid'")" = "604800 2592000"
me "$bob_jwt"
expect_status "the session's JWT opens /api/users/me" 200

# Refresh and rotation.
refresh "$bob_rt"
expect_status "a refresh answers 200" 200
expect_json "a refresh answers a new JWT and a new refresh token" "(.jwt|type) == \"string\" and .refreshToken != \"$bob_rt\" and (.refreshToken|startswith(\"$bob_sid.\"))"
rt2=$(jq -r .refreshToken <<<"$BODY")
jwt2=$(jq -r .jwt <<<"$BODY")
check "a refreshed JWT lives ACCESS_TOKEN_TTL and keeps the session" jq -e "(.exp - .iat) == 900 and .sid == \"$bob_sid\" and .id == $bob_id" <<<"$(claims "$jwt2")"
check "Cache-Control: no-store on a refresh" test "$(header Cache-Control)" = no-store
me "$jwt2"
expect_status "the refreshed JWT works" 200
refresh "$bob_rt"
expect_status "the previous secret within the grace period still refreshes" 200
expect_json "and gets the same new refresh token (two tabs agree)" ".refreshToken == \"$rt2\""
# Two refreshes racing with the same secret: one rotates, the other is in grace.
racers=()
for i in 1 2; do
    curl -sS -o "$T_RUN/race.$i" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        --data "{\"refreshToken\":\"$rt2\"}" "$SELF/api/auth/refresh" >"$T_RUN/race.st.$i" &
    racers+=($!)
done
wait "${racers[@]}"
check "two racing refreshes both succeed" test "$(cat "$T_RUN"/race.st.*)" = 200200
check "two racing refreshes get the same pair" test "$(jq -r .refreshToken "$T_RUN/race.1")" = "$(jq -r .refreshToken "$T_RUN/race.2")"
rt3=$(jq -r .refreshToken "$T_RUN/race.1")
check "the race rotated exactly once" test "$rt3" != "$rt2"

# A forged secret for a real session: refused, and the session lives on.
refresh "$bob_sid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect_error "a forged refresh secret is 401" 401 UnauthorizedError
refresh "$rt3"
expect_status "a forged secret does not end the session" 200
rt4=$(jq -r .refreshToken <<<"$BODY")
jwt4=$(jq -r .jwt <<<"$BODY")

for bad in '' 'x' 'abc.def' "$bob_sid" "$bob_sid." "${rt4}A" "$(tr a-z A-Z <<<"$rt4")" "zzzzzzzzzzzzzzzzzzzzzzzz.${rt4#*.}"; do
    refresh "$bad"
    expect_error "refresh token \"${bad:0:30}\" is 401" 401 UnauthorizedError
done
req POST /api/auth/refresh -H 'Content-Type: application/json' --data '{"refreshToken":42}'
expect_error "a refresh token that is not a string is 400" 400 ValidationError
req POST /api/auth/refresh -H 'Content-Type: application/json' --data '{"refreshToken":'
expect_error "a body that is not JSON is 400" 400 ValidationError
req POST /api/auth/refresh -H 'Content-Type: application/json' --data '[1]'
expect_error "a body that is not an object is 400" 400 ValidationError
req POST /api/auth/refresh --data ''
expect_error "no refresh token at all is 401" 401 UnauthorizedError
head -c 20000 /dev/zero | tr '\0' a >"$T_RUN/big"
req POST /api/auth/refresh -H 'Content-Type: application/json' --data-binary "@$T_RUN/big"
expect_error "a 20 kB body is 413" 413 PayloadTooLargeError
req GET /api/auth/refresh
expect_error "GET on refresh is 405" 405 MethodNotAllowedError
req GET /api/auth/nope
expect_error "an unknown /api/auth/ path is a JSON 404" 404 NotFoundError

# Reuse after the grace period: the whole session ends.
psql_q "UPDATE sessions SET prev_until = now() - interval '1 second' WHERE id = '$bob_sid'" >/dev/null
refresh "$rt3"
expect_error "a rotated-away secret after the grace period is 401" 401 UnauthorizedError
check "reuse ends the session" test "$(psql_q "SELECT revoked_reason FROM sessions WHERE id = '$bob_sid'")" = "refresh token reused"
refresh "$rt4"
expect_error "the current secret of a session ended by reuse is 401" 401 UnauthorizedError
me "$jwt4"
expect_error "the JWT of a session ended by reuse is 401 at once" 401 UnauthorizedError "Session ended"

# Any rotated-away secret coming back ends the session, however many
# refreshes ago it was replaced: a thief who refreshed twice must not
# outlast the victim (RFC 9700 §4.14.2).
api_signin user_01BOB
old_rt=$(jq -r .refreshToken <<<"$BODY")
old_sid=${old_rt%%.*}
cur_rt=$old_rt
for i in 1 2 3; do
    refresh "$cur_rt"
    cur_rt=$(jq -r .refreshToken <<<"$BODY")
done
check "three refreshes rotated the secret" test "$cur_rt" != "$old_rt"
refresh "$old_rt"
expect_error "a secret three refreshes old is 401" 401 UnauthorizedError
check "... and ends the session as reuse" test "$(psql_q "SELECT revoked_reason FROM sessions WHERE id = '$old_sid'")" = "refresh token reused"
refresh "$cur_rt"
expect_error "... so the latest secret (the thief's) is refused too" 401 UnauthorizedError

# A revoked session's JWT on every route.
api_signin user_01BOB
rev_jwt=$(jq -r .jwt <<<"$BODY")
psql_q "UPDATE sessions SET revoked_at = now(), revoked_reason = 'test' WHERE id = '$(sid_of "$rev_jwt")'" >/dev/null
for route in "GET /api/users/me" "GET /api/users/me/organizations" "GET /api/articles" "POST /api/articles" "GET /api/blog-posts" "POST /api/blog-posts" "GET /api/auth/sessions" "POST /api/auth/switch-organization"; do
    if [ "${route% *}" = POST ]; then
        req POST "${route#* }" -H "Authorization: Bearer $rev_jwt" -H 'Content-Type: application/json' \
            --data '{"data":{"title":"x"},"organizationId":"org_01ALPHA"}'
    else
        req GET "${route#* }" -H "Authorization: Bearer $rev_jwt"
    fi
    expect_error "a revoked session's JWT: $route is 401" 401 UnauthorizedError
done

# Idle and absolute expiry.
api_signin user_01BOB
idle_jwt=$(jq -r .jwt <<<"$BODY"); idle_rt=$(jq -r .refreshToken <<<"$BODY")
psql_q "UPDATE sessions SET idle_expires_at = now() - interval '1 second' WHERE id = '$(sid_of "$idle_jwt")'" >/dev/null
refresh "$idle_rt"
expect_error "a session past its idle expiry does not refresh" 401 UnauthorizedError
me "$idle_jwt"
expect_error "a session past its idle expiry: its JWT is 401" 401 UnauthorizedError
api_signin user_01BOB
max_jwt=$(jq -r .jwt <<<"$BODY"); max_rt=$(jq -r .refreshToken <<<"$BODY")
psql_q "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = '$(sid_of "$max_jwt")'" >/dev/null
refresh "$max_rt"
expect_error "a session past its absolute expiry does not refresh" 401 UnauthorizedError
me "$max_jwt"
expect_error "a session past its absolute expiry: its JWT is 401" 401 UnauthorizedError
api_signin user_01BOB
sl_rt=$(jq -r .refreshToken <<<"$BODY"); sl_sid=${sl_rt%%.*}
psql_q "UPDATE sessions SET idle_expires_at = now() + interval '1 minute' WHERE id = '$sl_sid'" >/dev/null
refresh "$sl_rt"
check "a refresh slides the idle expiry" test "$(psql_q "SELECT idle_expires_at > now() + interval '6 days' FROM sessions WHERE id = '$sl_sid'")" = t
sl_rt=$(jq -r .refreshToken <<<"$BODY")

# A blocked user: the refresh ends the session.
psql_q "UPDATE users SET blocked = true WHERE id = $bob_id" >/dev/null
refresh "$sl_rt"
expect_error "a blocked user's refresh is 401" 401 UnauthorizedError
check "a blocked user's refresh ends the session" test "$(psql_q "SELECT revoked_reason FROM sessions WHERE id = '$sl_sid'")" = "user blocked"
psql_q "UPDATE users SET blocked = false WHERE id = $bob_id" >/dev/null

# The WorkOS side: past its access token's lifetime, a refresh refreshes there.
api_signin user_01BOB
w_rt=$(jq -r .refreshToken <<<"$BODY"); w_sid=${w_rt%%.*}
expire_workos() { psql_q "UPDATE sessions SET workos_access_exp = now() - interval '1 second' WHERE id = '$w_sid'" >/dev/null; }
sealed_before=$(psql_q "SELECT workos_refresh FROM sessions WHERE id = '$w_sid'")
before=$(fake_stat authenticate)
refresh "$w_rt"; w_rt=$(jq -r .refreshToken <<<"$BODY")
check "a fresh WorkOS token is not refreshed at WorkOS" test "$(fake_stat authenticate)" = "$before"
expire_workos
refresh "$w_rt"
expect_status "a refresh past the WorkOS token's lifetime succeeds" 200
w_rt=$(jq -r .refreshToken <<<"$BODY")
check "it refreshed at WorkOS once" test "$(fake_stat authenticate)" = $((before + 1))
check "the new WorkOS refresh token is stored (sealed) with a new expiry" test "$(psql_q "SELECT workos_refresh <> '$sealed_before' AND workos_access_exp > now() FROM sessions WHERE id = '$w_sid'")" = t
for f in '{"endpoint":"authenticate","kind":"status","status":500}' '{"endpoint":"authenticate","kind":"status","status":429}' \
         '{"endpoint":"authenticate","kind":"delay","ms":5000}' '{"endpoint":"authenticate","kind":"drop"}' '{"endpoint":"authenticate","kind":"malformed"}'; do
    expire_workos
    fake POST /_fake/faults "$f" >/dev/null
    refresh "$w_rt"
    expect_status "WorkOS failing ($(jq -r '.kind + " " + (.status // .ms // "" | tostring)' <<<"$f")) on refresh keeps the session" 200
    w_rt=$(jq -r .refreshToken <<<"$BODY")
    fake DELETE /_fake/faults >/dev/null
done
expire_workos
fake POST /_fake/faults '{"endpoint":"authenticate","kind":"status","status":400,"body":{"error":"invalid_grant","error_description":"Session has ended."}}' >/dev/null
refresh "$w_rt"
expect_error "WorkOS refusing the refresh (invalid_grant) is 401" 401 UnauthorizedError
check "WorkOS refusing ends the session" test "$(psql_q "SELECT revoked_reason FROM sessions WHERE id = '$w_sid'")" = "ended at WorkOS"
fake DELETE /_fake/faults >/dev/null

# ---------------------------------------------------------------- logout
api_signin user_01BOB
l_jwt=$(jq -r .jwt <<<"$BODY"); l_sid=$(sid_of "$l_jwt")
req POST /api/auth/logout -H "Authorization: Bearer $l_jwt" --data ''
expect_status "logout by JWT answers 200" 200
expect_json "logout answers ok and the WorkOS logout URL" ".ok == true and (.logoutUrl | startswith(\"$FAKE_URL/user_management/sessions/logout?session_id=session_\"))"
check "logout ends the session" test "$(psql_q "SELECT revoked_reason FROM sessions WHERE id = '$l_sid'")" = logout
me "$l_jwt"
expect_error "after logout the JWT is 401" 401 UnauthorizedError
req POST /api/auth/logout -H "Authorization: Bearer $l_jwt" --data ''
expect_status "logout twice is still 200" 200
expect_json "a second logout has no WorkOS URL" '.ok == true and .logoutUrl == null'
req POST /api/auth/logout --data ''
expect_json "logout with no session at all is 200 ok" '.ok == true and .logoutUrl == null'
api_signin user_01BOB
lb_rt=$(jq -r .refreshToken <<<"$BODY")
req POST /api/auth/logout -H 'Content-Type: application/json' --data "{\"refreshToken\":\"$lb_rt\",\"returnTo\":\"$APP/bye\"}"
expect_json "logout by refresh token names the return address in the WorkOS URL" '.ok == true and (.logoutUrl | contains("return_to=http%3A%2F%2Fapp.example.test%3A5173%2Fbye"))'
refresh "$lb_rt"
expect_error "after logout the refresh token is 401" 401 UnauthorizedError
req POST /api/auth/logout -H 'Content-Type: application/json' --data '{"returnTo":"https://evil.example/"}'
expect_error "logout refuses a foreign returnTo" 400 ValidationError
req POST /api/auth/logout -H 'Content-Type: application/json' --data '{"all":"yes"}'
expect_error "logout refuses an all that is not a boolean" 400 ValidationError
# {"all": true}: every session of the user.
api_signin user_01BOB; a1=$(jq -r .jwt <<<"$BODY")
api_signin user_01BOB; a2=$(jq -r .jwt <<<"$BODY"); a2rt=$(jq -r .refreshToken <<<"$BODY")
req POST /api/auth/logout -H "Authorization: Bearer $a1" -H 'Content-Type: application/json' --data '{"all":true}'
expect_status "logout all answers 200" 200
check "logout all leaves the user no live session" test "$(psql_q "SELECT count(*) FROM sessions WHERE user_id = $bob_id AND revoked_at IS NULL")" = 0
me "$a2"
expect_error "logout all: another session's JWT is 401" 401 UnauthorizedError
refresh "$a2rt"
expect_error "logout all: another session's refresh token is 401" 401 UnauthorizedError

# ---------------------------------------------------------------- the session list
api_signin user_01BOB; s1=$(jq -r .jwt <<<"$BODY")
api_signin user_01BOB; s2=$(jq -r .jwt <<<"$BODY")
api_signin user_01CAT; c1=$(jq -r .jwt <<<"$BODY")
req GET /api/auth/sessions -H "Authorization: Bearer $s1"
expect_status "the session list answers 200" 200
expect_json "it lists the caller's two live sessions, the current one marked" "(.data|length) == 2 and ([.data[] | select(.current)] | length) == 1 and ([.data[] | select(.current)][0].id == \"$(sid_of "$s1")\") and (.data[0] | has(\"createdAt\") and has(\"lastUsedAt\") and has(\"ip\") and has(\"userAgent\") and has(\"organizationId\"))"
req DELETE "/api/auth/sessions/$(sid_of "$c1")" -H "Authorization: Bearer $s1"
expect_error "ending another user's session is 404" 404 NotFoundError
me "$c1"
expect_status "and that session lives on" 200
req DELETE /api/auth/sessions/not-a-session -H "Authorization: Bearer $s1"
expect_error "an id that is no session is 404" 404 NotFoundError
req DELETE "/api/auth/sessions/$(sid_of "$s2")" -H "Authorization: Bearer $s1"
expect_status "ending one's own other session is 204" 204
me "$s2"
expect_error "the ended session's JWT is 401" 401 UnauthorizedError
req DELETE "/api/auth/sessions/$(sid_of "$s2")" -H "Authorization: Bearer $s1"
expect_error "ending it again is 404" 404 NotFoundError
req GET /api/auth/sessions
expect_error "the session list without credentials is 401" 401 UnauthorizedError
legacy=$(token --id "$bob_id")
me "$legacy"
expect_status "a JWT made before sessions (no sid) keeps working" 200
req GET /api/auth/sessions -H "Authorization: Bearer $legacy"
expect_error "but it names no session to list" 401 UnauthorizedError

# ---------------------------------------------------------------- organizations
api_signin user_01CAT
expect_json "one active membership: the sign-in enters that organization" '.user.organizationId == "org_01BETA" and .user.role == "member"'
check "its JWT names the organization" jq -e '.organizationId == "org_01BETA"' <<<"$(claims "$(jq -r .jwt <<<"$BODY")")"
api_signin user_01ANN
expect_json "several memberships: the sign-in names none" '.user.organizationId == null'
ann_jwt=$(jq -r .jwt <<<"$BODY"); ann_rt=$(jq -r .refreshToken <<<"$BODY")
req GET /api/users/me/organizations -H "Authorization: Bearer $ann_jwt"
expect_json "several memberships: the app is told all of them at once, with names and roles" '([.data[] | .organizationId + "/" + .name + "/" + .role] | sort) == ["org_01ALPHA/Alpha/admin","org_01BETA/Beta/admin","org_01MFA/Needs MFA/admin","org_01SSO/Needs SSO/admin"]'
switch() { req POST /api/auth/switch-organization -H "Authorization: Bearer $1" -H 'Content-Type: application/json' --data "{\"organizationId\":\"$2\"}"; }
switch "$ann_jwt" org_01ALPHA
expect_status "switching to a member organization answers 200" 200
alpha_jwt=$(jq -r .jwt <<<"$BODY")
check "the new JWT names the organization and the same session" jq -e ".organizationId == \"org_01ALPHA\" and .sid == \"$(sid_of "$ann_jwt")\" and (.exp - .iat) == 900" <<<"$(claims "$alpha_jwt")"
me "$alpha_jwt"
expect_json "/api/users/me shows the organization and its role" '.organizationId == "org_01ALPHA" and .role == "admin"'
switch "$alpha_jwt" org_01BETA
expect_status "switching again answers 200" 200
beta_jwt=$(jq -r .jwt <<<"$BODY")
check "the session records its organization" test "$(psql_q "SELECT organization_id FROM sessions WHERE id = '$(sid_of "$ann_jwt")'")" = org_01BETA
refresh "$ann_rt"
check "a refresh keeps the switched organization" jq -e '.organizationId == "org_01BETA"' <<<"$(claims "$(jq -r .jwt <<<"$BODY")")"
switch "$beta_jwt" org_01NOTMINE
expect_error "switching to an organization one is not a member of is 403" 403 ForbiddenError
fake POST /_fake/organizations '{"id":"org_01GAMMA","name":"Gamma"}' >/dev/null
switch "$beta_jwt" org_01GAMMA
expect_error "switching to an existing organization without membership is 403" 403 ForbiddenError "Not a member of this organization"
switch "$beta_jwt" org_01SSO
expect_error "an organization that requires SSO is 403" 403 ForbiddenError
expect_json "with details.loginUrl for a new sign-in there" '.error.details.loginUrl == "/api/auth/workos/login?organization=org_01SSO"'
switch "$beta_jwt" org_01MFA
expect_json "an organization that requires MFA enrolment is 403 with loginUrl" '.error.status == 403 and .error.details.loginUrl == "/api/auth/workos/login?organization=org_01MFA"'
switch "$beta_jwt" org_01ALPHA
expect_status "a refused switch left the session able to switch" 200
# A membership the directory or WorkOS ended stays ended here, as at
# sign-in: no switch into it, and the session keeps its organization.
ann_sid=$(sid_of "$ann_jwt")
ann_beta="user_id = (SELECT user_id FROM sessions WHERE id = '$ann_sid') AND organization_id = 'org_01BETA'"
psql_q "UPDATE memberships SET status = 'inactive', directory_state = 'suspended' WHERE $ann_beta" >/dev/null
auth_before=$(fake_stat authenticate)
switch "$beta_jwt" org_01BETA
expect_error "switching into a membership ended here (directory: suspended) is 403" 403 ForbiddenError "Your membership in this organization is not active"
check "... without moving the session at WorkOS" test "$(fake_stat authenticate)" = "$auth_before"
check "... and the session keeps its organization" test "$(psql_q "SELECT organization_id FROM sessions WHERE id = '$ann_sid'")" = org_01ALPHA
psql_q "UPDATE memberships SET status = 'active', directory_state = NULL WHERE $ann_beta" >/dev/null
for bad in '' org_ 'org_a b' acme; do
    switch "$beta_jwt" "$bad"
    expect_error "switching to \"$bad\" is 400" 400 ValidationError
done
fake POST /_fake/faults '{"endpoint":"authenticate","kind":"status","status":500}' >/dev/null
switch "$beta_jwt" org_01BETA
expect_error "WorkOS failing on a switch is 502" 502 BadGatewayError
fake POST /_fake/faults '{"endpoint":"authenticate","kind":"delay","ms":5000}' >/dev/null
switch "$beta_jwt" org_01BETA
expect_error "WorkOS too slow on a switch is 504" 504 GatewayTimeoutError
fake DELETE /_fake/faults >/dev/null
switch "$beta_jwt" org_01BETA
expect_status "after WorkOS recovers the switch works" 200
fake POST /_fake/faults '{"endpoint":"authenticate","kind":"status","status":400,"body":{"error":"invalid_grant","error_description":"Session has ended."}}' >/dev/null
switch "$beta_jwt" org_01ALPHA
expect_error "WorkOS refusing the session on a switch is 401" 401 UnauthorizedError
me "$beta_jwt"
expect_error "and the session has ended" 401 UnauthorizedError
fake DELETE /_fake/faults >/dev/null

# ---------------------------------------------------------------- browsers
bj=$(jar browser)
login "$bj" "return_to=%2Fapp%2Fhome%3Ftab%3D1"
expect_status "a browser sign-in with a relative return_to starts" 302
workos user_01BOB
check "no token in the WorkOS redirect" bash -c "! grep -q 'jwt\|refresh' <<<'$CB'"
callback "$bj"
expect_status "the browser's callback answers 303" 303
check "303 goes back to return_to" test "$(header Location)" = "/app/home?tab=1"
sc=$(tr -d '\r' <"$T_RUN/hdrs" | sed -n 's/^Set-Cookie: //p' | grep '^wos_session=' || true)
check "the session cookie is set" grep -qE '^wos_session=[a-z][a-z0-9]{23}\.[A-Za-z0-9_-]{43};' <<<"$sc"
check "the session cookie is HttpOnly, SameSite=Lax, Path=/api/auth" bash -c "grep -q 'HttpOnly' <<<'$sc' && grep -q 'SameSite=Lax' <<<'$sc' && grep -q 'Path=/api/auth;' <<<'$sc'"
check "no token in the body or the Location" bash -c "! grep -q 'eyJ' <<<'$BODY$(header Location)'"
check "a browser session is recorded as one" test "$(psql_q "SELECT mode FROM sessions WHERE id = '$(cookie_of "$bj" | cut -d. -f1)'")" = browser
cookie1=$(cookie_of "$bj")
req POST /api/auth/refresh -b "$bj" -c "$bj" -H "Origin: $SELF" --data ''
expect_status "the browser refreshes with its cookie from the API's own origin" 200
expect_json "a cookie refresh answers only the JWT" '(.jwt|type) == "string" and (has("refreshToken")|not)'
check "a cookie refresh rotates the cookie" test "$(cookie_of "$bj")" != "$cookie1"
b_jwt=$(jq -r .jwt <<<"$BODY")
check "a browser's JWT lives ACCESS_TOKEN_TTL" jq -e '(.exp - .iat) == 900' <<<"$(claims "$b_jwt")"
me "$b_jwt"
expect_json "the browser's JWT opens /api/users/me" '.email == "bob@example.com"'
cookie2=$(cookie_of "$bj")
req POST /api/auth/refresh -b "$bj" --data ''
expect_error "a cookie refresh without Origin is 403" 403 ForbiddenError
req POST /api/auth/refresh -b "$bj" -H 'Origin: https://evil.example' --data ''
expect_error "a cookie refresh from a foreign Origin is 403" 403 ForbiddenError
check "no CORS header for a foreign Origin" test -z "$(header Access-Control-Allow-Origin)"
req POST /api/auth/refresh -b "$bj" -H 'Origin: null' --data ''
expect_error "a cookie refresh from Origin: null is 403" 403 ForbiddenError
check "a refused cookie request changed nothing" test "$(psql_q "SELECT prev_until IS NULL OR prev_until < now() + interval '11 seconds' FROM sessions WHERE id = '${cookie2%%.*}'")" = t
req POST /api/auth/refresh -b "$bj" -c "$bj" -H "Origin: $APP" --data ''
expect_status "a cookie refresh from an APP_ORIGINS origin succeeds" 200
check "it gets credentialed CORS for that origin" bash -c "[ '$(header Access-Control-Allow-Origin)' = '$APP' ] && [ '$(header Access-Control-Allow-Credentials)' = true ]"
check "with Vary: Origin" grep -qi '^Vary: .*Origin' "$T_RUN/hdrs"
req OPTIONS /api/auth/refresh -H "Origin: $APP" -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type'
expect_status "a preflight from an app origin is answered" 204
check "the preflight allows the origin with credentials, never *" bash -c "[ '$(header Access-Control-Allow-Origin)' = '$APP' ] && [ '$(header Access-Control-Allow-Credentials)' = true ] && grep -qi '^Access-Control-Allow-Methods:.*POST' '$T_RUN/hdrs'"
req OPTIONS /api/auth/refresh -H 'Origin: https://evil.example' -H 'Access-Control-Request-Method: POST'
check "a preflight from a foreign origin gets no CORS grant" test -z "$(header Access-Control-Allow-Origin)"
req GET /api/auth/sessions -b "$bj" -H "Origin: $APP"
expect_json "the cookie lists its sessions from an app origin, its own marked current" "(.data|length) >= 1 and ([.data[] | select(.current)] | map(.id)) == [\"$(cookie_of "$bj" | cut -d. -f1)\"]"
req GET /api/auth/sessions -b "$bj"
expect_error "the cookie lists nothing without Origin" 403 ForbiddenError
req POST /api/auth/logout -b "$bj" -H 'Origin: https://evil.example' --data ''
expect_error "a cookie logout from a foreign Origin is 403" 403 ForbiddenError
me "$b_jwt"
expect_status "and did not end the session" 200

# A second sign-in in the same browser replaces its session: the first ends.
rj=$(jar replace)
login "$rj" "return_to=%2Fa"; workos user_01BOB; callback "$rj"
first_sid=$(cookie_of "$rj" | cut -d. -f1)
login "$rj" "return_to=%2Fb"; workos user_01BOB; callback "$rj"
check "a new sign-in in the same browser sets a new session cookie" test "$(cookie_of "$rj" | cut -d. -f1)" != "$first_sid"
check "and ends the session it replaces" test "$(psql_q "SELECT revoked_reason FROM sessions WHERE id = '$first_sid'")" = "replaced by a new sign-in"

# Absolute return_to on an APP_ORIGINS origin; GET logout through the browser.
bj2=$(jar browser2)
login "$bj2" "return_to=$(jq -rn --arg u "$APP/dash#top" '$u|@uri')"
workos user_01BOB; callback "$bj2"
check "an absolute return_to on an app origin is honoured" test "$(header Location)" = "$APP/dash#top"
bj2_sid=$(cookie_of "$bj2" | cut -d. -f1)
req GET "/api/auth/workos/logout?return_to=%2Fbye" -b "$bj2" -c "$bj2"
expect_status "GET logout answers 302" 302
check "GET logout goes to the WorkOS logout with the session and an absolute return_to" \
    grep -q "^$FAKE_URL/user_management/sessions/logout?session_id=session_[A-Za-z0-9]*&return_to=http%3A%2F%2F127.0.0.1%3A$HTTP_PORT%2Fbye$" <<<"$(header Location)"
check "GET logout clears the cookie" grep -q '^wos_session=; .*Max-Age=0' <<<"$(header Set-Cookie)"
check "GET logout ends the session" test "$(psql_q "SELECT revoked_reason FROM sessions WHERE id = '$bj2_sid'")" = logout
req GET "/api/auth/workos/logout?return_to=%2Fbye"
check "GET logout with no session goes straight to return_to" test "$STATUS $(header Location)" = "302 /bye"
req GET "/api/auth/workos/logout?return_to=https%3A%2F%2Fevil.example%2F"
expect_error "GET logout refuses a foreign return_to" 400 ValidationError
check "and redirects nowhere" test -z "$(header Location)"

# A failed browser sign-in goes back to the app with a fixed error code.
bj3=$(jar browser3)
login "$bj3" "return_to=%2Fapp"
st=$(grep -oE 'state=[^&]+' <<<"$LOC" | cut -d= -f2)
req GET "/api/auth/workos/callback?error=access_denied&error_description=%3Cscript%3E&state=$st" -b "$bj3"
check "a WorkOS error in browser mode is 303 to return_to?error=access_denied" test "$STATUS $(header Location)" = "303 /app?error=access_denied"
login "$bj3" "return_to=%2Fapp%3Fx%3D1"
fake POST /_fake/faults '{"endpoint":"authenticate","kind":"status","status":500}' >/dev/null
workos user_01BOB; callback "$bj3"
check "WorkOS failing in browser mode is 303 with error=workos_unavailable" test "$STATUS $(header Location)" = "303 /app?x=1&error=workos_unavailable"
fake DELETE /_fake/faults >/dev/null
login "$bj3" "return_to=%2Fapp"
fake POST /_fake/faults '{"endpoint":"authenticate","kind":"status","status":403,"body":{"code":"mfa_enrollment","message":"enrol"}}' >/dev/null
workos user_01BOB; callback "$bj3"
check "a step-up in browser mode is 303 with error=step_required" test "$STATUS $(header Location)" = "303 /app?error=step_required"
fake DELETE /_fake/faults >/dev/null
check "no error page carries WorkOS's free text" bash -c "! grep -q 'script' '$T_RUN/hdrs'"

# Two sign-ins in one browser both finish; a fourth drops the oldest.
tj=$(jar tabs)
login "$tj" "return_to=%2Fone"; loc1=$LOC
login "$tj" "return_to=%2Ftwo"; loc2=$LOC
check "two sign-ins keep two state cookies" test "$(grep -c 'wos_login_' "$tj")" = 2
LOC=$loc2; workos user_01BOB; callback "$tj"
check "the second tab's sign-in finishes" test "$STATUS $(header Location)" = "303 /two"
LOC=$loc1; workos user_01BOB; callback "$tj"
check "the first tab's sign-in finishes too" test "$STATUS $(header Location)" = "303 /one"
qj=$(jar four)
for i in 1 2 3 4; do
    login "$qj" "return_to=%2F$i"; eval "q$i=\$LOC"
    eval "n$i=wos_login_$(grep -oE 'state=[A-Za-z0-9_-]{12}' <<<"$LOC" | cut -d= -f2)"
    sleep 1
done
cleared=$(tr -d '\r' <"$T_RUN/hdrs" | sed -n 's/^Set-Cookie: \(wos_login_[^=]*\)=;.*Max-Age=0.*/\1/p')
check "a fourth sign-in in one browser clears exactly the oldest state cookie" test "$cleared" = "$n1"
# curl keeps a cookie cleared in the same answer that sets another; a browser drops it.
sed -i "/\t$n1\t/d" "$qj"
LOC=$q1; workos user_01BOB; callback "$qj"
expect_error "the oldest sign-in cannot finish any more" 400 ValidationError
for i in 2 3 4; do
    eval "LOC=\$q$i"; workos user_01BOB; callback "$qj"
    check "sign-in $i of four finishes" test "$STATUS $(header Location)" = "303 /$i"
done

# Hostile return_to values: 400 and no redirect.
long="/$(head -c 2100 /dev/zero | tr '\0' a)"
for bad in '%2F%2Fevil.example' '%2F%5Cevil.example' 'javascript%3Aalert(1)' 'http%3A%2F%2Fevil.example%2F' \
    'https%3A%2F%2Fapp.example.test%3A5173%40evil.example%2F' 'http%3A%2F%2Fapp.example.test%3A5173%40evil.example' \
    'http%3A%2F%2Fapp.example.test%3A5173.evil.example%2F' 'http%3A%2F%2Fapp.example.test%2F' \
    '%2F%252F%252Fevil.example' '%2F%2F%2Fevil.example' 'evil.example' \
    'HTTP%3A%2F%2Fevil.example' '%2F%E2%80%AEevil' "$long" 'data%3Atext%2Fhtml%2Cx' \
    'http%3A%2F%2Fuser%3Apass%40app.example.test%3A5173%2F' '' ; do
    req GET "/api/auth/workos/login?return_to=$bad"
    expect_error "return_to \"${bad:0:50}\" is 400" 400 ValidationError
    check "return_to \"${bad:0:50}\" redirects nowhere" test -z "$(header Location)"
done
req GET "/api/auth/workos/login?return_to=HTTP%3A%2F%2FAPP.example.test%3A5173%2Fok"
expect_status "an app origin in another case is the same origin" 302

# WorkOS parameters passed through.
login "$(jar hint)" "screen_hint=sign-up&invitation_token=inv_01ABC"
check "screen_hint=sign-up reaches WorkOS" grep -q 'screen_hint=sign-up' <<<"$LOC"
check "invitation_token reaches WorkOS" grep -q 'invitation_token=inv_01ABC' <<<"$LOC"
req GET "/api/auth/workos/login?screen_hint=register"
expect_error "an unknown screen_hint is 400" 400 ValidationError
req GET "/api/auth/workos/login?invitation_token=a%C3%A9b"
expect_error "an invitation token that is not ASCII is 400" 400 ValidationError
# Line breaks and tabs in the target: the web server or the program refuses them.
for bad in '%2Fa%0d%0aSet-Cookie%3A%20x%3D1' '%2F%09%2Fevil.example'; do
    req GET "/api/auth/workos/login?return_to=$bad"
    check "return_to \"$bad\" is 400 with no redirect" test "$STATUS|$(header Location)" = "400|"
done

# ---------------------------------------------------------------- configuration
samesite=$(env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" JWT_SECRET="$JWT_SECRET" WORKOS_API_KEY=sk_test_fake \
    WORKOS_CLIENT_ID=client_test WORKOS_REDIRECT_URI="http://127.0.0.1:1/api/auth/workos/callback" \
    WORKOS_COOKIE_PASSWORD="$WORKOS_COOKIE_PASSWORD" WORKOS_API_BASE="$FAKE_URL" SESSION_COOKIE_SAMESITE=None \
    "$BIN_DIR/cgi-bin/session.fcgi" </dev/null 2>&1; echo "rc=$?")
check "SESSION_COOKIE_SAMESITE=None without HTTPS stops the program, naming it" bash -c "grep -q 'SESSION_COOKIE_SAMESITE' <<<'$samesite' && grep -q 'rc=1' <<<'$samesite'"
origins=$(env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" JWT_SECRET="$JWT_SECRET" WORKOS_API_KEY=sk_test_fake \
    WORKOS_CLIENT_ID=client_test WORKOS_REDIRECT_URI="http://127.0.0.1:1/cb" \
    WORKOS_COOKIE_PASSWORD="$WORKOS_COOKIE_PASSWORD" APP_ORIGINS="https://ok.example https://bad.example/path" \
    "$BIN_DIR/cgi-bin/session.fcgi" </dev/null 2>&1; echo "rc=$?")
check "an APP_ORIGINS entry with a path stops the program, naming it" bash -c "grep -q 'APP_ORIGINS' <<<'$origins' && grep -q 'rc=1' <<<'$origins'"

# ---------------------------------------------------------------- secrets
logs="$T_RUN/error.log $T_RUN/lighttpd.stderr"
check "no refresh token reaches the logs" bash -c "! grep -qF '${rt2#*.}' $logs && ! grep -qF '${cookie1#*.}' $logs"
check "no WorkOS refresh token is stored in clear" test "$(psql_q "SELECT count(*) FROM sessions WHERE workos_refresh IS NOT NULL AND length(workos_refresh) < 40")" = 0

# ---------------------------------------------------------------- Postgres restarts
# Between requests the connection of every program dies; each reconnects on
# its first use, whatever that use is (a transaction here), never a 503.
api_signin user_01BOB
pr_rt=$(jq -r .refreshToken <<<"$BODY")
prj=$(jar pgrestart)
login "$prj" "return_to=%2Fx"; workos user_01BOB; callback "$prj"
pg_stop "$T_BASE/pg"
pg_start "$T_BASE/pg" "$PG_PORT"
api_signin user_01BOB
expect_status "after a Postgres restart the first sign-in succeeds (callback.fcgi reconnects)" 200
refresh "$pr_rt"
expect_status "after a Postgres restart the first refresh succeeds (session.fcgi reconnects)" 200
req GET "/api/auth/workos/logout?return_to=%2Fbye" -b "$prj"
expect_status "after a Postgres restart the first logout succeeds (login.fcgi reconnects)" 302
check "and it ended the session" test "$(psql_q "SELECT revoked_reason FROM sessions WHERE id = '$(cookie_of "$prj" | cut -d. -f1)'")" = logout

# ---------------------------------------------------------------- found in review
# A NUL in return_to: 400 with the fixed text, never a crash or stray memory.
printf '{"returnTo":"/a\\u0000b"}' >"$T_RUN/nul.json"
req POST /api/auth/logout -H 'Content-Type: application/json' --data-binary "@$T_RUN/nul.json"
expect_error "a returnTo holding a NUL is 400 with the fixed message" 400 ValidationError \
    "return_to must be a path on this site or a URL of one of APP_ORIGINS"
for route in login logout; do
    env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" JWT_SECRET="$JWT_SECRET" \
        WORKOS_API_KEY=sk_test_fake WORKOS_CLIENT_ID=client_test \
        WORKOS_REDIRECT_URI="http://127.0.0.1:$HTTP_PORT/api/auth/workos/callback" \
        WORKOS_COOKIE_PASSWORD="$WORKOS_COOKIE_PASSWORD" WORKOS_API_BASE="$FAKE_URL" \
        REQUEST_METHOD=GET REQUEST_URI="/api/auth/workos/$route?return_to=/%00x" \
        QUERY_STRING="return_to=/%00x" \
        ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
        "$BIN_DIR/cgi-bin/login.fcgi" </dev/null >"$T_RUN/nul.$route" 2>"$T_RUN/nul.$route.err"
    rc=$?
    check "GET $route with a NUL in return_to (where a server passes it): answered, no crash" test "$rc" = 0
    check "GET $route with a NUL in return_to: 400 in the envelope with the fixed message" \
        bash -c "grep -q '^Status: 400' '$T_RUN/nul.$route' && grep -q 'return_to must be a path on this site' '$T_RUN/nul.$route'"
done

# Only a live credential may end every session of its user.
api_signin user_01BOB; live_jwt=$(jq -r .jwt <<<"$BODY")
api_signin user_01BOB; dead_jwt=$(jq -r .jwt <<<"$BODY"); dead_rt=$(jq -r .refreshToken <<<"$BODY")
req POST /api/auth/logout -H "Authorization: Bearer $dead_jwt" --data ''
expect_status "a session ends" 200
req POST /api/auth/logout -H "Authorization: Bearer $dead_jwt" -H 'Content-Type: application/json' --data '{"all":true}'
expect_json "{\"all\":true} with an ended session's JWT answers ok" '.ok == true and .logoutUrl == null'
me "$live_jwt"
expect_status "... and ends no other session" 200
req POST /api/auth/logout -H 'Content-Type: application/json' --data "{\"refreshToken\":\"$dead_rt\",\"all\":true}"
expect_status "{\"all\":true} with an ended session's refresh token answers 200" 200
me "$live_jwt"
expect_status "... and ends no other session either" 200

# The absolute return address is built on the configured origin, not Host.
hj=$(jar host)
login "$hj" "return_to=%2Fx"; workos user_01BOB; callback "$hj"
req GET "/api/auth/workos/logout?return_to=%2Fbye" -H "Cookie: wos_session=$(cookie_of "$hj")" -H 'Host: evil.example'
check "a forged Host does not become the WorkOS logout's return_to" \
    grep -q "return_to=http%3A%2F%2F127.0.0.1%3A$HTTP_PORT%2Fbye$" <<<"$(header Location)"

# --- bounds: what one request may list or end at WorkOS.
# bulk_sessions N PREFIX: N live sessions of Bob, straight into the table,
# each with its own WorkOS session id PREFIX-i (unknown to the fake: 404 there).
bulk_sessions() {
    psql_q "INSERT INTO sessions (id, user_id, workos_session_id, refresh_hash, mode,
              last_used_at, idle_expires_at, expires_at)
            SELECT 'b' || substr(md5('$2' || i), 1, 23), $bob_id, '$2-' || i, '\\x00', 'api',
                   now() - make_interval(mins => i), now() + interval '1 day', now() + interval '2 days'
              FROM generate_series(1, $1) AS i" >/dev/null
}
api_signin user_01BOB; bound_jwt=$(jq -r .jwt <<<"$BODY")
bulk_sessions 150 session_bulk
req GET /api/auth/sessions -H "Authorization: Bearer $bound_jwt"
expect_status "the session list of a user with over 150 live sessions answers" 200
expect_json "... the 100 most recently used, no more" '(.data | length) == 100 and ([.data[].lastUsedAt] == ([.data[].lastUsedAt] | sort | reverse))'
expect_json "... the current session (just signed in) first" '.data[0].current == true'
revokes=$(fake_stat revoke)
req POST /api/auth/logout -H "Authorization: Bearer $bound_jwt" -H 'Content-Type: application/json' --data '{"all":true}'
expect_status "logout of every one of over 150 sessions answers 200" 200
check "... every session has ended here" test "$(psql_q "SELECT count(*) FROM sessions WHERE user_id = $bob_id AND revoked_at IS NULL")" = 0
check "... and at most 10 others were ended at WorkOS in the request" test "$(( $(fake_stat revoke) - revokes ))" = 10

# A member of more organizations than one answer lists: the first 1,000 by name.
psql_q "INSERT INTO organizations (id, name) SELECT 'org_bulk' || lpad(i::text, 5, '0'), 'Bulk ' || lpad(i::text, 5, '0')
          FROM generate_series(1, 1005) AS i;
        INSERT INTO memberships (user_id, organization_id, role_slug)
          SELECT $bob_id, 'org_bulk' || lpad(i::text, 5, '0'), 'member' FROM generate_series(1, 1005) AS i" >/dev/null
api_signin user_01BOB; many_jwt=$(jq -r .jwt <<<"$BODY")
req GET /api/users/me/organizations -H "Authorization: Bearer $many_jwt"
expect_status "the organizations of a member of over 1,000 answer" 200
expect_json "... 1,000 of them, the first by name" '(.data | length) == 1000 and .data[0].name == "Bulk 00001" and .data[999].name == "Bulk 01000"'

# WorkOS rotating its keys within the JWKS cooldown does not end sessions: a
# refresh at WorkOS then keeps the session and WorkOS's new refresh token
# (the old one is used up), and goes back to WorkOS after the cooldown.
lighttpd_stop
lighttpd_start || t_fail "lighttpd restarts (a session process with no keys yet)"
SELF=http://127.0.0.1:$HTTP_PORT
api_signin user_01BOB
k_rt=$(jq -r .refreshToken <<<"$BODY"); k_sid=${k_rt%%.*}
expire_k() { psql_q "UPDATE sessions SET workos_access_exp = now() - interval '1 second' WHERE id = '$k_sid'" >/dev/null; }
expire_k
refresh "$k_rt"
expect_status "a refresh at WorkOS (the session process fetches the JWKS)" 200
k_rt=$(jq -r .refreshToken <<<"$BODY")
fake POST /_fake/rotate-key '{}' >/dev/null
k_sealed=$(psql_q "SELECT workos_refresh FROM sessions WHERE id = '$k_sid'")
k_jwks=$(fake_stat jwks); k_auth=$(fake_stat authenticate)
expire_k
refresh "$k_rt"
expect_status "a refresh at WorkOS answered with a key rotated within the cooldown keeps the session" 200
k_rt=$(jq -r .refreshToken <<<"$BODY")
check "... WorkOS was asked once and the JWKS not fetched" \
    test "$(fake_stat authenticate) $(fake_stat jwks)" = "$((k_auth + 1)) $k_jwks"
check "... WorkOS's new refresh token is kept, due at WorkOS again after the cooldown" \
    test "$(psql_q "SELECT workos_refresh <> '$k_sealed' AND workos_access_exp > now() + interval '30 seconds' AND revoked_at IS NULL FROM sessions WHERE id = '$k_sid'")" = t
refresh "$k_rt"
expect_status "the next refresh answers from what is stored" 200
k_rt=$(jq -r .refreshToken <<<"$BODY")
check "... without asking WorkOS" test "$(fake_stat authenticate)" = "$((k_auth + 1))"
lighttpd_stop
lighttpd_start || t_fail "lighttpd restarts (the cooldown over: a process with no keys)"
SELF=http://127.0.0.1:$HTTP_PORT
expire_k
refresh "$k_rt"
expect_status "after the cooldown the kept WorkOS refresh token works there" 200
check "... and the session lives on" test "$(psql_q "SELECT revoked_at IS NULL FROM sessions WHERE id = '$k_sid'")" = t
