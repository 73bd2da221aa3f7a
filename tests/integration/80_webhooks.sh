# WorkOS webhooks: POST /api/webhooks/workos through lighttpd and
# webhook.fcgi, signed here as WorkOS signs them, applied to real Postgres.

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# sig BODY [T_MS] [SECRET]: the WorkOS-Signature value for BODY.
sig() {
    local t=${2:-$(now_ms)}
    printf 't=%s, v1=%s' "$t" "$(printf '%s.%s' "$t" "$1" |
        openssl dgst -sha256 -hmac "${3:-$WORKOS_WEBHOOK_SECRET}" | awk '{print $NF}')"
}
# hook BODY [SIGNATURE|-]: deliver BODY, signed unless told otherwise.
hook() {
    local h=${2-$(sig "$1")}
    if [ "$h" = - ]; then
        req POST /api/webhooks/workos -H 'Content-Type: application/json' --data-binary "$1"
    else
        req POST /api/webhooks/workos -H 'Content-Type: application/json' \
            -H "WorkOS-Signature: $h" --data-binary "$1"
    fi
    # Said, not asserted (the checks after it do): when a check fails, what
    # the webhook answered is in the log.
    [ "$STATUS" = 200 ] || echo "# the webhook answered $STATUS: $(head -c 300 <<<"$BODY")"
}
BASE=$(( $(date +%s) - 3600 ))
at() { date -u -d "@$((BASE + $1))" +%Y-%m-%dT%H:%M:%S.000Z; } # at N: BASE + N s
NEV=0
ev() { # NAME DATA [ID]: an event envelope, made when its object changed
    NEV=$((NEV + 1))
    jq -nc --arg id "${3:-event_t$NEV$RANDOM}" --arg n "$1" --argjson d "$2" \
        --arg c "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" \
        '{id:$id, event:$n, data:$d, created_at:($d.updated_at // $c)}'
}
user_d() { # ID EMAIL VERIFIED FIRST LAST T
    jq -nc --arg id "$1" --arg e "$2" --argjson v "$3" --arg f "$4" --arg l "$5" --arg t "$(at "$6")" \
        '{object:"user", id:$id, email:$e, email_verified:$v, first_name:$f, last_name:$l,
          profile_picture_url:null, created_at:$t, updated_at:$t}'
}
mem_d() { # OM USER ORG STATUS ROLE T
    jq -nc --arg om "$1" --arg u "$2" --arg o "$3" --arg s "$4" --arg r "$5" --arg t "$(at "$6")" \
        '{object:"organization_membership", id:$om, user_id:$u, organization_id:$o, status:$s,
          role:{slug:$r}, roles:[{slug:$r}], directory_managed:false, custom_attributes:{},
          created_at:$t, updated_at:$t}'
}
dir_d() { # ORG EMAIL STATE T
    jq -nc --arg o "$1" --arg e "$2" --arg s "$3" --arg t "$(at "$4")" \
        '{object:"directory_user", id:"directory_user_01X", directory_id:"directory_01X",
          organization_id:$o, idp_id:"x", email:$e, first_name:"F", last_name:"L", state:$s,
          raw_attributes:{}, custom_attributes:{}, created_at:$t, updated_at:$t}'
}
# linked EMAIL WORKOS_ID [ORG ROLE]: a signed-in user (and membership); prints its id.
linked() {
    local id
    id=$(mkuser "$1")
    psql_q "UPDATE users SET workos_user_id = '$2' WHERE id = $id"
    [ -n "${3:-}" ] && psql_q "INSERT INTO organizations (id) VALUES ('$3') ON CONFLICT DO NOTHING;
        INSERT INTO memberships (user_id, organization_id, role_slug, status, workos_status)
        VALUES ($id, '$3', '$4', 'active', 'active')"
    echo "$id"
}
# mksession USER_ID ORG|'' WORKOS_SESSION_ID: a live sessions row; prints its id.
mksession() {
    local sid
    sid="s$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n' | tr '0-9a-f' 'a-p' | cut -c1-23)"
    psql_q "INSERT INTO sessions (id, user_id, organization_id, workos_session_id, refresh_hash, mode,
            idle_expires_at, expires_at) VALUES ('$sid', $1, NULLIF('$2', ''), '$3', '\\x00', 'api',
            now() + interval '1 day', now() + interval '30 days')" >/dev/null
    echo "$sid"
}
revoked() { psql_q "SELECT revoked_reason FROM sessions WHERE id = '$1' AND revoked_at IS NOT NULL"; }
nevents() { psql_q "SELECT count(*) FROM workos_events"; }
post_as() { # TOKEN TITLE
    req POST /api/blog-posts -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
        --data-binary "{\"data\":{\"title\":\"$2\"}}"
}

ada=$(linked ada@acme.example user_01ADA org_01ACME admin)
T_ada=$(token --id "$ada" --org org_01ACME)
s_ada=$(mksession "$ada" org_01ACME session_01ADA)

# --- every signature fault: 401, nothing applied, nothing logged but the reason
MARK="body-marker-$RANDOM$RANDOM"
good=$(ev user.updated "$(user_d user_01ADA ada@acme.example true "$MARK" Lovelace 10)")
before=$(nevents)
hook "$good" -
expect_error "no WorkOS-Signature is 401" 401 UnauthorizedError
check "no signature: the reason is given" grep -q missing <<<"$BODY"
hook "$good" "garbage"
expect_error "a malformed signature is 401" 401 UnauthorizedError
hook "$good" "t=$(now_ms)"
expect_error "a signature without v1 is 401" 401 UnauthorizedError
hook "$good" "v1=$(printf %064d 0)"
expect_error "a signature without t is 401" 401 UnauthorizedError
hook "$good" "t=12x4, v1=$(printf %064d 0)"
expect_error "a signature whose t is not a number is 401" 401 UnauthorizedError
hook "$good" "$(sig "$good" $(( $(now_ms) - 181000 )))"
expect_error "a signature 181 s old is 401" 401 UnauthorizedError
check "stale: the reason is given" grep -q stale <<<"$BODY"
hook "$good" "$(sig "$good" $(( $(now_ms) + 190000 )))"
expect_error "a signature 190 s in the future is 401 (10 s past the tolerance: room for a slow machine)" 401 UnauthorizedError
check "future: the reason is given" grep -q future <<<"$BODY"
hook "$good" "$(sig "$good" "" "another-secret-0123456789")"
expect_error "a signature with another secret is 401" 401 UnauthorizedError
hook "${good/Lovelace/Byron}" "$(sig "$good")"
expect_error "a body changed after signing is 401" 401 UnauthorizedError
hook "$good " "$(sig "$good")"
expect_error "one byte appended after signing is 401" 401 UnauthorizedError
hook "$good" "t=$(now_ms), v1=$(printf %064d 0), v1=$(printf %064d 1)"
expect_error "several v1 values, none right, is 401" 401 UnauthorizedError
check "no refused delivery was applied" test "$(nevents)" = "$before"
check "no refused delivery changed the user" test "$(psql_q "SELECT count(*) FROM users WHERE first_name = '$MARK'")" = 0

# --- genuine deliveries: lenient header, several v1 (rotation)
uname_before=$(psql_q "SELECT username FROM users WHERE id = $ada")
t=$(now_ms)
mac=$(sig "$good" "$t" | sed 's/.*v1=//')
req POST /api/webhooks/workos -H "workos-signature:   V1=$(printf %064d 0) ,T=$t,  v1=$mac " --data-binary "$good"
expect_status "a genuine delivery (header in lower case, odd spacing, two v1) is 200" 200
expect_json "the answer names the event and says applied" '.data.result == "applied" and .data.event == "user.updated"'
check "the user's names follow WorkOS, the username stays as made (Strapi keeps it)" test "$(psql_q "SELECT first_name || ' ' || last_name || '/' || username FROM users WHERE id = $ada")" = "$MARK Lovelace/$uname_before"
gid=$(jq -r .id <<<"$good")
hook "$good"
expect_json "the same event again is 200, a duplicate" '.data.result == "duplicate"'
psql_q "UPDATE users SET first_name = 'Changed' WHERE id = $ada"
hook "$good"
check "a replay applies nothing" test "$(psql_q "SELECT first_name FROM users WHERE id = $ada")" = Changed
check "the event is recorded once" test "$(psql_q "SELECT count(*) FROM workos_events WHERE id = '$gid'")" = 1
psql_q "UPDATE users SET first_name = '$MARK' WHERE id = $ada"

hook "$(ev user.updated "$(user_d user_01ADA ada@acme.example true Older Version 5)")"
expect_json "an older version of the user is 200, stale" '.data.result == "stale"'
check "an older version changes nothing" test "$(psql_q "SELECT first_name FROM users WHERE id = $ada")" = "$MARK"

# --- bad bodies, correctly signed: 400, nothing written
bad() { # NAME BODY WANT
    local n
    n=$(nevents)
    hook "$2"
    expect_error "$1 is 400" 400 ValidationError
    check "$1: the reason names $3" grep -q "$3" <<<"$BODY"
    check "$1: nothing recorded" test "$(nevents)" = "$n"
}
bad "a body that is not JSON" '{"id": "event_x", "event":' "not JSON"
bad "an empty body" '' "not JSON"
bad "a JSON array" '[{"id":"event_x"}]' "JSON object"
bad "an event without an id" '{"event":"user.updated","data":{},"created_at":"2026-01-01T00:00:00Z"}' "id"
bad "an event whose data is a string" '{"id":"e_bad1","event":"user.updated","data":"x","created_at":"2026-01-01T00:00:00Z"}' "data"
bad "a user.updated whose email is a number" "$(ev user.updated '{"id":"user_01ADA","email":5,"email_verified":true,"updated_at":"2026-01-01T00:00:00Z"}')" "email"
bad "a user.updated whose email_verified is a string" "$(ev user.updated '{"id":"user_01ADA","email":"a@b.c","email_verified":"yes","updated_at":"2026-01-01T00:00:00Z"}')" "email_verified"
bad "a membership whose role is a string" "$(ev organization_membership.updated '{"id":"om_1","user_id":"user_01ADA","organization_id":"org_01ACME","status":"inactive","role":"admin","updated_at":"2026-01-01T00:00:00Z"}')" "role"
bad "a membership with an unknown status" "$(ev organization_membership.updated '{"id":"om_1","user_id":"user_01ADA","organization_id":"org_01ACME","status":"gone","role":{"slug":"admin"},"updated_at":"2026-01-01T00:00:00Z"}')" "status"
bad "an updated_at that is not a time" '{"id":"e_bad2","event":"organization.updated","created_at":"2026-01-01T00:00:00Z","data":{"id":"org_01ACME","name":"A","updated_at":"yesterday"}}' "updated_at"
check "bad bodies left the membership active" test "$(psql_q "SELECT status FROM memberships WHERE user_id = $ada")" = active

dd if=/dev/zero bs=1024 count=1025 2>/dev/null | tr '\0' ' ' >"$T_RUN/big"
req POST /api/webhooks/workos -H "WorkOS-Signature: t=$(now_ms), v1=$(printf %064d 0)" --data-binary @"$T_RUN/big"
expect_error "a body over 1 MiB is 413" 413 PayloadTooLargeError
req GET /api/webhooks/workos
check "GET is not a webhook (405)" test "$STATUS" = 405
req POST /api/webhooks/other --data-binary '{}'
expect_error "another path under /api/webhooks/ is 404" 404 NotFoundError

# --- unknown event types and unknown objects
hook "$(ev connection.activated '{"object":"connection","id":"conn_01"}' event_unknown_type_01)"
expect_json "an unknown event type is 200, ignored" '.data.result == "ignored"'
check "an unknown event type is logged once" test "$(grep -c 'event_unknown_type_01' "$T_RUN/error.log")" = 1
hook "$(ev user.updated "$(user_d user_01NOBODY nobody@example.com true No Body 10)")"
expect_json "an unknown user is 200, unknown" '.data.result == "unknown"'
check "an unknown user is not created" test "$(psql_q "SELECT count(*) FROM users WHERE email = 'nobody@example.com'")" = 0
hook "$(ev organization_membership.created "$(mem_d om_01NOBODY user_01NOBODY org_01NEWORG active admin 10)")"
expect_json "a membership of an unknown user is 200, unknown" '.data.result == "unknown"'
check "no membership is made for an unknown user" test "$(psql_q "SELECT count(*) FROM memberships WHERE organization_id = 'org_01NEWORG'")" = 0
hook "$(ev organization.created '{"object":"organization","id":"org_01NEWORG","name":"New Org","domains":[],"updated_at":"2026-01-01T00:00:00.000Z"}')"
check "a new organization is recorded with its name" test "$(psql_q "SELECT name FROM organizations WHERE id = 'org_01NEWORG'")" = "New Org"
hook "$(ev session.revoked '{"object":"session","id":"session_01NOBODY","status":"revoked"}')"
expect_status "a revoked session the suite never saw is 200" 200

# --- e-mails: lower-cased, never unverified, never taken from a verified owner
hook "$(ev user.updated "$(user_d user_01ADA Ada.L@ACME.example true Ada Lovelace 20)")"
check "a verified new e-mail is stored lower-case" test "$(psql_q "SELECT email FROM users WHERE id = $ada")" = ada.l@acme.example
hook "$(ev user.updated "$(user_d user_01ADA mallory@evil.example false Ada Lovelace 30)")"
expect_json "an unverified e-mail change is 200" '.data.result == "applied"'
check "an unverified e-mail never replaces the account's" test "$(psql_q "SELECT email FROM users WHERE id = $ada")" = ada.l@acme.example
owner=$(mkuser owner@acme.example)
hook "$(ev user.updated "$(user_d user_01ADA Owner@acme.example true Ada Lovelace 40)")"
check "an e-mail another account holds stays that account's" test "$(psql_q "SELECT id FROM users WHERE email = 'owner@acme.example'")" = "$owner"
check "and this account keeps its own" test "$(psql_q "SELECT email FROM users WHERE id = $ada")" = ada.l@acme.example

# --- roles and removal: the next request follows WorkOS
post_as "$T_ada" "Before"
expect_status "an admin writes a blog post" 201
hook "$(ev organization_membership.updated "$(mem_d om_01ADA user_01ADA org_01ACME active viewer 50)")"
expect_json "a role change is applied" '.data.result == "applied"'
post_as "$T_ada" "As viewer"
expect_error "after a demotion to a role without writes, the next write is 403" 403 ForbiddenError
check "a role change keeps the session" test -z "$(revoked "$s_ada")"
req GET /api/users/me -H "Authorization: Bearer $T_ada"
expect_json "/api/users/me shows the new role" '.role == "viewer"'
hook "$(ev organization_membership.updated "$(mem_d om_01ADA user_01ADA org_01ACME active admin 60)")"
post_as "$T_ada" "Admin again"
expect_status "promoted again, the next write is 201" 201
hook "$(ev organization_membership.deleted "$(mem_d om_01ADA user_01ADA org_01ACME active admin 70)")"
expect_json "a removal is applied" '.data.result == "applied"'
post_as "$T_ada" "After removal"
expect_error "after WorkOS removes the membership, the next write is 403" 403 ForbiddenError
check "the member's session for that organization is revoked" test "$(revoked "$s_ada")" = workos_membership_inactive
hook "$(ev organization_membership.updated "$(mem_d om_01ADA user_01ADA org_01ACME active admin 65)")"
expect_json "a late older update after the removal is stale" '.data.result == "stale"'
check "a late older update does not bring the membership back" test "$(psql_q "SELECT status || '/' || workos_status FROM memberships WHERE user_id = $ada")" = inactive/deleted
hook "$(ev organization_membership.created "$(mem_d om_01ADA2 user_01ADA org_01ACME active member 80)")"
post_as "$T_ada" "Re-added"
expect_status "re-added by WorkOS later, the next write is 201" 201
hook "$(ev organization_membership.updated "$(mem_d om_01ADA2 user_01ADA org_01ACME inactive member 90)")"
post_as "$T_ada" "Deactivated"
expect_error "a deactivated membership is 403 at the next write" 403 ForbiddenError

# --- directory deprovisioning (SCIM), matched by e-mail in the event's organization
bob=$(linked bob@acme.example user_01BOB org_01ACME member)
T_bob=$(token --id "$bob" --org org_01ACME)
s_bob=$(mksession "$bob" org_01ACME session_01BOB)
s_bob_other=$(mksession "$bob" "" session_01BOB2)
hook "$(ev dsync.user.updated "$(dir_d org_01ACME BOB@Acme.Example suspended 10)")"
expect_json "a suspended directory user is applied" '.data.result == "applied"'
post_as "$T_bob" "Suspended"
expect_error "a suspended directory user's next write is 403" 403 ForbiddenError
check "their session in that organization is revoked" test "$(revoked "$s_bob")" = directory_deactivated
check "their session outside it is not" test -z "$(revoked "$s_bob_other")"
hook "$(ev dsync.user.updated "$(dir_d org_01ACME bob@acme.example active 20)")"
post_as "$T_bob" "Active again"
expect_status "active again in the directory, with an active WorkOS membership: 201" 201
hook "$(ev organization_membership.updated "$(mem_d om_01BOB user_01BOB org_01ACME inactive member 30)")"
hook "$(ev dsync.user.updated "$(dir_d org_01ACME bob@acme.example inactive 40)")"
hook "$(ev dsync.user.updated "$(dir_d org_01ACME bob@acme.example active 50)")"
check "active in the directory does not reactivate a membership WorkOS lists inactive" test "$(psql_q "SELECT status FROM memberships WHERE user_id = $bob")" = inactive
hook "$(ev dsync.user.deleted "$(dir_d org_01ACME bob@acme.example active 60)")"
check "a deleted directory user stays inactive" test "$(psql_q "SELECT directory_state FROM memberships WHERE user_id = $bob")" = deleted

# --- session.revoked and user.deleted
cy=$(linked cy@acme.example user_01CY org_01ACME member)
T_cy=$(token --id "$cy" --org org_01ACME)
s_cy1=$(mksession "$cy" org_01ACME session_01CY1)
s_cy2=$(mksession "$cy" org_01ACME session_01CY2)
hook "$(ev session.revoked '{"object":"session","id":"session_01CY1","user_id":"user_01CY","status":"revoked"}')"
check "session.revoked revokes the sessions made from it" test "$(revoked "$s_cy1")" = workos_session_revoked
check "and no other" test -z "$(revoked "$s_cy2")"
hook "$(ev user.deleted "$(user_d user_01CY cy@acme.example true Cy D 10)")"
expect_json "user.deleted is applied" '.data.result == "applied"'
check "every session of a deleted user is revoked" test "$(revoked "$s_cy2")" = workos_user_deleted
check "the account is unlinked from the WorkOS id" test -z "$(psql_q "SELECT workos_user_id FROM users WHERE id = $cy")"
req GET /api/users/me -H "Authorization: Bearer $T_cy"
expect_error "a deleted user's JWT is 401 at the next request" 401 UnauthorizedError
hook "$(ev user.updated "$(user_d user_01CY cy@acme.example true Late Update 20)")"
expect_json "a late update of a deleted user finds no one" '.data.result == "unknown"'

# --- organization.deleted
dee=$(linked dee@beta.example user_01DEE org_01BETA admin)
s_dee=$(mksession "$dee" org_01BETA session_01DEE)
hook "$(ev organization.deleted '{"object":"organization","id":"org_01BETA","name":"Beta","domains":[],"updated_at":"2026-01-01T00:00:00.000Z"}')"
check "a deleted organization's memberships are inactive" test "$(psql_q "SELECT status FROM memberships WHERE organization_id = 'org_01BETA'")" = inactive
check "and its sessions revoked" test "$(revoked "$s_dee")" = workos_organization_deleted
hook "$(ev organization.updated '{"object":"organization","id":"org_01BETA","name":"Beta Again","domains":[],"updated_at":"2026-01-01T00:00:00.000Z"}')"
expect_json "an update older than the deletion is stale" '.data.result == "stale"'

# --- 1,000 events, each delivered twice, shuffled
users=$(for i in $(seq 0 19); do printf 'user_bulk_%02d,' "$i"; done)
users=${users%,}
for i in $(seq 0 19); do linked "bulk.user$i@example.com" "$(printf 'user_bulk_%02d' "$i")" >/dev/null; done
psql_q "INSERT INTO organizations (id) VALUES ('org_bulk_a'), ('org_bulk_b'), ('org_bulk_c')"
n0=$(nevents)
node "$ROOT/tests/tools/webhooks.js" bulk --url "http://127.0.0.1:$HTTP_PORT/api/webhooks/workos" \
    --secret "$WORKOS_WEBHOOK_SECRET" --users "$users" --orgs org_bulk_a,org_bulk_b,org_bulk_c \
    --events 1000 --copies 2 --concurrency 4 >"$T_RUN/bulk.json"
check "2,000 deliveries all answered 200" jq -e '.statuses == {"200": 2000}' "$T_RUN/bulk.json"
check "exactly 1,000 were duplicates" jq -e '.results.duplicate == 1000' "$T_RUN/bulk.json"
check "no event was applied twice: 1,000 recorded" test "$(( $(nevents) - n0 ))" = 1000
psql_q "SELECT coalesce(json_agg(json_build_array(u.workos_user_id, m.organization_id, m.status, m.role_slug)
        ORDER BY 1), '[]') FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE u.workos_user_id LIKE 'user_bulk_%'" >"$T_RUN/bulk.members"
check "the memberships equal applying each event once, in order" \
    jq -e --slurpfile got "$T_RUN/bulk.members" '($got[0] | sort) == (.expected.memberships | sort)' "$T_RUN/bulk.json"
psql_q "SELECT coalesce(json_agg(json_build_array(workos_user_id, first_name, last_name) ORDER BY 1), '[]')
        FROM users WHERE workos_user_id LIKE 'user_bulk_%' AND workos_updated_at IS NOT NULL" >"$T_RUN/bulk.users"
check "the users' names equal applying each event once, in order" \
    jq -e --slurpfile got "$T_RUN/bulk.users" '($got[0] | sort) == (.expected.users | sort)' "$T_RUN/bulk.json"

# Memory stays flat: 2,000 more deliveries after the 2,000 above warmed the
# processes up (plain build only: ASan's quarantine grows by design).
if [ "$BIN_DIR" = "$ROOT" ]; then
    wpids=$(pgrep -P "$LIGHTTPD_PID" -f 'cgi-bin/webhook.fcgi')
    rss_all() { for p in $wpids; do awk -v p="$p" '/^VmRSS/ {print p, $2}' "/proc/$p/status"; done; }
    rss_all >"$T_RUN/rss.before"
    node "$ROOT/tests/tools/webhooks.js" bulk --url "http://127.0.0.1:$HTTP_PORT/api/webhooks/workos" \
        --secret "$WORKOS_WEBHOOK_SECRET" --users "$users" --orgs org_bulk_a,org_bulk_b,org_bulk_c \
        --events 1000 --copies 2 --concurrency 4 >"$T_RUN/bulk2.json"
    check "2,000 more deliveries all answered 200" jq -e '.statuses == {"200": 2000}' "$T_RUN/bulk2.json"
    rss_all >"$T_RUN/rss.after"
    grown=$(join "$T_RUN/rss.before" "$T_RUN/rss.after" | awk '$3 - $2 >= 512 {print $1 ": " $2 " -> " $3 " KiB"}')
    if [ -s "$T_RUN/rss.after" ] && [ -z "$grown" ]; then
        t_ok "webhook.fcgi memory stays flat over 2,000 deliveries (RSS per process: $(awk '{printf "%s%s KiB", NR > 1 ? ", " : "", $2}' "$T_RUN/rss.after"))"
    else
        t_fail "webhook.fcgi memory stays flat over 2,000 deliveries" "${grown:-no process measured}"
    fi
fi

# --- sign-ins and events together
fake POST /_fake/reset >/dev/null
jar() { echo "$T_RUN/jar.$1"; }
signin() { # JAR QUERY: the browser flow against the fake WorkOS; answer in BODY
    req GET "/api/auth/workos/login?$2" -c "$1"
    CB=$(curl -gsS -o /dev/null -w '%{redirect_url}' "$(header Location)")
    req GET "${CB#http://127.0.0.1:$HTTP_PORT}" -b "$1"
}
fake POST /_fake/users '{"id":"user_01UNVER","email":"Shared@Example.com","email_verified":false}' >/dev/null
signin "$(jar unver)" "login_hint=shared%40example.com"
expect_status "a new user with an unverified e-mail signs in" 200
check "the unverified e-mail is not stored" test "$(psql_q "SELECT email || '/' || confirmed FROM users WHERE workos_user_id = 'user_01UNVER'")" = "user_01unver@unverified.invalid/false"
fake POST /_fake/users '{"id":"user_01UNVER","email":"elsewhere@example.com","email_verified":false}' >/dev/null
fake POST /_fake/users '{"id":"user_01OWNER","email":"shared@example.com","email_verified":true}' >/dev/null
signin "$(jar owner)" "login_hint=shared%40example.com"
expect_json "the verified owner of that e-mail is not blocked" '.user.email == "shared@example.com"'
signin "$(jar unver2)" "login_hint=elsewhere%40example.com"
check "an unverified e-mail does not replace an account's at sign-in" test "$(psql_q "SELECT email FROM users WHERE workos_user_id = 'user_01UNVER'")" = user_01unver@unverified.invalid

fake POST /_fake/organizations '{"id":"org_01GAMMA","name":"Gamma"}' >/dev/null
fake POST /_fake/users '{"id":"user_01EVE","email":"eve@gamma.example","first_name":"Eve"}' >/dev/null
fake POST /_fake/memberships '{"user_id":"user_01EVE","organization_id":"org_01GAMMA","role":"member"}' >/dev/null
signin "$(jar eve)" "organization=org_01GAMMA&login_hint=eve%40gamma.example"
expect_json "a member signs in to the organization" '.user.organizationId == "org_01GAMMA"'
hook "$(ev organization_membership.updated "$(mem_d om_01EVE user_01EVE org_01GAMMA inactive member 7000)")"
signin "$(jar eve2)" "organization=org_01GAMMA&login_hint=eve%40gamma.example"
expect_error "a sign-in does not re-activate a membership WorkOS said is inactive" 403 ForbiddenError
check "the membership stays inactive" test "$(psql_q "SELECT m.status FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.workos_user_id = 'user_01EVE'")" = inactive
hook "$(ev organization_membership.updated "$(mem_d om_01EVE user_01EVE org_01GAMMA active member 7100)")"
signin "$(jar eve3)" "organization=org_01GAMMA&login_hint=eve%40gamma.example"
expect_status "once WorkOS says active again, the sign-in succeeds" 200

# Ten sign-ins and twenty events about the same person at the same moment.
cbs=()
for i in $(seq 1 10); do
    req GET "/api/auth/workos/login?organization=org_01GAMMA&login_hint=eve%40gamma.example" -c "$(jar par$i)"
    cbs+=("$(curl -gsS -o /dev/null -w '%{redirect_url}' "$(header Location)")")
done
par=()
for i in $(seq 1 10); do
    curl -gsS -o /dev/null -w '%{http_code}\n' -b "$(jar par$i)" "${cbs[$((i - 1))]}" >"$T_RUN/par.signin.$i" &
    par+=($!)
    body=$(ev user.updated "$(user_d user_01EVE eve@gamma.example true "Eve$i" Gamma $((7200 + i)))")
    curl -gsS -o /dev/null -w '%{http_code}\n' -H "WorkOS-Signature: $(sig "$body")" --data-binary "$body" \
        "http://127.0.0.1:$HTTP_PORT/api/webhooks/workos" >"$T_RUN/par.user.$i" &
    par+=($!)
    body=$(ev organization_membership.updated "$(mem_d om_01EVE user_01EVE org_01GAMMA active "role$i" $((7200 + i)))")
    curl -gsS -o /dev/null -w '%{http_code}\n' -H "WorkOS-Signature: $(sig "$body")" --data-binary "$body" \
        "http://127.0.0.1:$HTTP_PORT/api/webhooks/workos" >"$T_RUN/par.member.$i" &
    par+=($!)
done
wait "${par[@]}"
check "concurrent sign-ins all succeed (no deadlock)" test "$(cat "$T_RUN"/par.signin.* | sort -u)" = 200
check "concurrent events all answer 200 (no deadlock)" test "$(cat "$T_RUN"/par.user.* "$T_RUN"/par.member.* | sort -u)" = 200
check "no update is lost: the names are the newest version's" test "$(psql_q "SELECT first_name FROM users WHERE workos_user_id = 'user_01EVE'")" = Eve10
check "the membership is the newest version's" test "$(psql_q "SELECT m.workos_updated_at = '$(at 7210)'::timestamptz FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.workos_user_id = 'user_01EVE'")" = t

# --- the logs: reasons, never the secret or a body
logs="$T_RUN/error.log $T_RUN/lighttpd.stderr"
check "refused deliveries are logged with their reason" grep -q 'refused a webhook: stale' "$T_RUN/error.log"
check "the webhook secret is not logged" bash -c "! grep -qF '$WORKOS_WEBHOOK_SECRET' $logs"
check "no body is logged" bash -c "! grep -qF '$MARK' $logs"
check "no 5xx was answered" bash -c "! grep -q 'webhook.fcgi.* 5[0-9][0-9]' $logs"

# webhook.fcgi refuses to start without its secret.
env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" REQUEST_METHOD=POST REQUEST_URI=/api/webhooks/workos \
    ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
    "$BIN_DIR/cgi-bin/webhook.fcgi" </dev/null >/dev/null 2>"$T_RUN/wh.err"
check "webhook.fcgi refuses to start without WORKOS_WEBHOOK_SECRET" grep -q 'WORKOS_WEBHOOK_SECRET: is required' "$T_RUN/wh.err"
