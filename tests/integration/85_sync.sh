# bin/workos-sync: the WorkOS Events API of the fake WorkOS, over real HTTP,
# applied to real Postgres; and the fake's signed webhooks to webhook.fcgi.

fake POST /_fake/reset >/dev/null
fake DELETE /_fake/faults >/dev/null

# sync_once [ARGS]: run workos-sync --once; SYNC_RC, output in $T_RUN/sync.err.
sync_once() {
    env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" WORKOS_API_KEY="${SYNC_KEY:-$WORKOS_API_KEY}" \
        WORKOS_API_BASE="$WORKOS_API_BASE" WORKOS_TIMEOUT="$WORKOS_TIMEOUT" \
        ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
        "$BIN_DIR/bin/workos-sync" --once "$@" </dev/null >"$T_RUN/sync.out" 2>"$T_RUN/sync.err"
    SYNC_RC=$?
    cat "$T_RUN/sync.err" >>"$T_RUN/sync.all"
}
# linked EMAIL WORKOS_ID: a user who signed in before; prints its id.
linked() {
    local id
    id=$(mkuser "$1")
    psql_q "UPDATE users SET workos_user_id = '$2' WHERE id = $id"
    echo "$id"
}
mksession() { # USER_ID ORG
    local sid
    sid="s$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n' | tr '0-9a-f' 'a-p' | cut -c1-23)"
    psql_q "INSERT INTO sessions (id, user_id, organization_id, workos_session_id, refresh_hash, mode,
            idle_expires_at, expires_at) VALUES ('$sid', $1, '$2', 'session_$sid', '\\x00', 'api',
            now() + interval '1 day', now() + interval '30 days')" >/dev/null
    echo "$sid"
}
revoked() { psql_q "SELECT revoked_reason FROM sessions WHERE id = '$1' AND revoked_at IS NOT NULL"; }
post_as() { # TOKEN TITLE
    req POST /api/blog-posts -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
        --data-binary "{\"data\":{\"title\":\"$2\"}}"
}
mstatus() { # USER_ID ORG
    psql_q "SELECT status || '/' || role_slug FROM memberships WHERE user_id = $1 AND organization_id = '$2'"
}

fake POST /_fake/organizations '{"id":"org_01SYNC","name":"Sync Inc"}' >/dev/null
fake POST /_fake/users '{"id":"user_01ANN","email":"ann@sync.example","first_name":"Ann"}' >/dev/null
fake POST /_fake/users '{"id":"user_01BEN","email":"ben@sync.example","first_name":"Ben"}' >/dev/null
ann=$(linked ann@sync.example user_01ANN)
ben=$(linked ben@sync.example user_01BEN)
om_ann=$(fake POST /_fake/memberships '{"user_id":"user_01ANN","organization_id":"org_01SYNC","role":"admin"}' | jq -r .id)
om_ben=$(fake POST /_fake/memberships '{"user_id":"user_01BEN","organization_id":"org_01SYNC","role":"member"}' | jq -r .id)

# --- the first read: from the oldest event WorkOS keeps
sync_once
check "workos-sync --once exits 0" test "$SYNC_RC" = 0
check "the memberships are made from the events" test "$(mstatus "$ann" org_01SYNC)" = active/admin
check "the organization's name is copied" test "$(psql_q "SELECT name FROM organizations WHERE id = 'org_01SYNC'")" = "Sync Inc"
last=$(fake GET /_fake/events | jq -r '.data[-1].id')
check "the cursor is kept in Postgres: the last event read" test "$(psql_q "SELECT cursor FROM workos_sync_state")" = "$last"
n_applied=$(psql_q "SELECT count(*) FROM workos_events WHERE source = 'events_api'")
sync_once
check "a second pass applies nothing again" test "$(psql_q "SELECT count(*) FROM workos_events")" = "$n_applied"

# --- removal to refusal with webhooks lost: one workos-sync --once
T_ann=$(token --id "$ann" --org org_01SYNC)
s_ann=$(mksession "$ann" org_01SYNC)
post_as "$T_ann" "Before removal"
expect_status "a member writes a blog post" 201
fake DELETE "/_fake/memberships/$om_ann" >/dev/null
post_as "$T_ann" "Webhook lost"
expect_status "with the webhook lost, nothing has changed yet" 201
sync_once
check "workos-sync --once exits 0 after the removal" test "$SYNC_RC" = 0
post_as "$T_ann" "After sync"
expect_error "after one workos-sync --once, the removed member's next write is 403" 403 ForbiddenError
check "and their session is revoked" test "$(revoked "$s_ann")" = workos_membership_inactive

# --- removal to refusal with webhooks: at once, before any sync
fake POST /_fake/webhooks "{\"url\":\"http://127.0.0.1:$HTTP_PORT/api/webhooks/workos\",\"secret\":\"$WORKOS_WEBHOOK_SECRET\"}" >/dev/null
T_ben=$(token --id "$ben" --org org_01SYNC)
s_ben=$(mksession "$ben" org_01SYNC)
post_as "$T_ben" "Ben before"
expect_status "another member writes" 201
fake POST /_fake/memberships '{"user_id":"user_01BEN","organization_id":"org_01SYNC","status":"inactive"}' >/dev/null
fake POST /_fake/webhooks/flush >/dev/null
post_as "$T_ben" "Ben after"
expect_error "with webhooks, a deactivated member's next write is 403 at once" 403 ForbiddenError
check "their session is revoked at once" test "$(revoked "$s_ben")" = workos_membership_inactive
check "the webhook was answered 200" test "$(fake GET /_fake/webhooks/deliveries | jq -r '[.data[].status] | unique | join(",")')" = 200
fake POST /_fake/memberships '{"user_id":"user_01BEN","organization_id":"org_01SYNC","status":"active","role":"admin"}' >/dev/null
fake POST /_fake/webhooks/flush >/dev/null
check "reactivated with a new role by webhook" test "$(mstatus "$ben" org_01SYNC)" = active/admin
before=$(psql_q "SELECT count(*) FROM workos_events")
sync_once
check "the sync after webhooks finds them applied: nothing twice" test "$(psql_q "SELECT count(*) FROM workos_events")" = "$before"

# --- webhook faults of the fake: duplicates, out of order, bad signatures, drops, delays
fake POST /_fake/webhooks/faults '{"kind":"duplicate"}' >/dev/null
fake POST /_fake/users '{"id":"user_01BEN","first_name":"Benjamin"}' >/dev/null
fake POST /_fake/webhooks/faults '{"kind":"out_of_order"}' >/dev/null
fake POST /_fake/users '{"id":"user_01BEN","first_name":"Benno"}' >/dev/null
fake POST /_fake/users '{"id":"user_01BEN","first_name":"Bernard"}' >/dev/null
fake POST /_fake/webhooks/faults '{"kind":"delay","ms":300}' >/dev/null
fake POST /_fake/memberships '{"user_id":"user_01BEN","organization_id":"org_01SYNC","role":"member"}' >/dev/null
fake POST /_fake/webhooks/flush >"$T_RUN/deliveries.json"
check "a duplicate delivery is answered as a duplicate" jq -e '[.data[] | select(.result == "duplicate")] | length >= 1' "$T_RUN/deliveries.json"
check "an older version delivered late is stale" jq -e '[.data[] | select(.fault == "out_of_order" and .result == "stale")] | length == 1' "$T_RUN/deliveries.json"
check "out of order, the newest version wins" test "$(psql_q "SELECT first_name FROM users WHERE id = $ben")" = Bernard
check "a delayed delivery is applied" test "$(mstatus "$ben" org_01SYNC)" = active/member
fake POST /_fake/webhooks/faults '{"kind":"bad_signature"}' >/dev/null
fake POST /_fake/memberships '{"user_id":"user_01BEN","organization_id":"org_01SYNC","role":"viewer"}' >/dev/null
fake POST /_fake/webhooks/faults '{"kind":"stale_signature"}' >/dev/null
fake POST /_fake/users '{"id":"user_01BEN","first_name":"Bert"}' >/dev/null
fake POST /_fake/webhooks/faults '{"kind":"drop"}' >/dev/null
fake POST /_fake/organizations '{"id":"org_01SYNC","name":"Sync Incorporated"}' >/dev/null
fake POST /_fake/webhooks/flush >"$T_RUN/deliveries.json"
check "a badly signed delivery is refused with 401" jq -e '[.data[] | select(.fault == "bad_signature" and .status == 401)] | length == 1' "$T_RUN/deliveries.json"
check "a stale signature is refused with 401" jq -e '[.data[] | select(.fault == "stale_signature" and .status == 401)] | length == 1' "$T_RUN/deliveries.json"
check "refused and dropped deliveries changed nothing" test "$(mstatus "$ben" org_01SYNC)/$(psql_q "SELECT first_name FROM users WHERE id = $ben")" = active/member/Bernard
sync_once
check "the sync fills what the refused and dropped deliveries missed" \
    test "$(mstatus "$ben" org_01SYNC)/$(psql_q "SELECT first_name FROM users WHERE id = $ben")/$(psql_q "SELECT name FROM organizations WHERE id = 'org_01SYNC'")" = "active/viewer/Bert/Sync Incorporated"
fake POST /_fake/webhooks '{"url":null}' >/dev/null

# --- directory deprovisioning through the Events API
fake POST /_fake/memberships '{"user_id":"user_01BEN","organization_id":"org_01SYNC","role":"admin"}' >/dev/null
du=$(fake POST /_fake/directory_users '{"organization_id":"org_01SYNC","email":"Ben@Sync.Example"}' | jq -r .id)
fake POST /_fake/directory_users "{\"id\":\"$du\",\"state\":\"inactive\"}" >/dev/null
sync_once
check "a directory user made inactive deactivates the membership" test "$(mstatus "$ben" org_01SYNC)" = inactive/admin
fake POST /_fake/directory_users "{\"id\":\"$du\",\"state\":\"active\"}" >/dev/null
sync_once
check "active again in the directory and at WorkOS: active" test "$(mstatus "$ben" org_01SYNC)" = active/admin

# --- the Events API failing: retried, never a crash
fault() { # NAME FAULT-JSON
    fake POST /_fake/faults "$2" >/dev/null
    fake POST /_fake/users "{\"id\":\"user_01BEN\",\"first_name\":\"$3\"}" >/dev/null
    sync_once
    check "$1: workos-sync --once still exits 0" test "$SYNC_RC" = 0
    check "$1: the change is applied after the retry" test "$(psql_q "SELECT first_name FROM users WHERE id = $ben")" = "$3"
    check "$1: the failure is one clear line" grep -q "could not read WorkOS events: .*trying again" "$T_RUN/sync.err"
    fake DELETE /_fake/faults >/dev/null
}
fault "a 500 from the Events API" '{"endpoint":"events","kind":"status","status":500}' Five
fault "a 429 with Retry-After" '{"endpoint":"events","kind":"status","status":429,"headers":{"Retry-After":"1"}}' Four
check "the 429's Retry-After is obeyed" grep -q 'trying again in 1 s (Retry-After)' "$T_RUN/sync.err"
fault "an Events API timing out" '{"endpoint":"events","kind":"delay","ms":5000}' Slow
check "the timeout is named" grep -q 'no answer within WORKOS_TIMEOUT' "$T_RUN/sync.err"
fault "malformed JSON from the Events API" '{"endpoint":"events","kind":"malformed"}' Broken
fault "a dropped connection" '{"endpoint":"events","kind":"drop"}' Dropped
cursor=$(psql_q "SELECT cursor FROM workos_sync_state")
fake POST /_fake/faults '{"endpoint":"events","kind":"status","status":503,"count":-1}' >/dev/null
fake POST /_fake/users '{"id":"user_01BEN","first_name":"Never"}' >/dev/null
sync_once
check "an Events API that keeps failing: --once exits 1" test "$SYNC_RC" = 1
check "the reason is one line" grep -q 'could not read WorkOS events after 4 attempts: HTTP 503' "$T_RUN/sync.err"
check "the cursor did not move" test "$(psql_q "SELECT cursor FROM workos_sync_state")" = "$cursor"
fake DELETE /_fake/faults >/dev/null
SYNC_KEY=sk_wrong sync_once
check "a wrong API key: --once exits 1 at once" test "$SYNC_RC" = 1
check "a wrong API key is reported as HTTP 401" grep -q 'HTTP 401' "$T_RUN/sync.err"
sync_once
check "once WorkOS answers, the change arrives" test "$(psql_q "SELECT first_name FROM users WHERE id = $ben")" = Never

# A page holding an event of the wrong shape: skipped with a line, the rest applied.
psql_q "UPDATE workos_sync_state SET cursor = NULL"
n_before=$(psql_q "SELECT count(*) FROM workos_events")
sync_once
check "re-reading every event applies none twice" test "$(psql_q "SELECT count(*) FROM workos_events")" = "$n_before"

# Applied event ids too old to arrive again are forgotten by a pass that reaches the end.
psql_q "INSERT INTO workos_events (id, event, created_at, source) VALUES
        ('event_ancient', 'user.updated', now() - interval '50 days', 'webhook')"
sync_once
check "event ids older than 45 days are forgotten" test "$(psql_q "SELECT count(*) FROM workos_events WHERE id = 'event_ancient'")" = 0
check "recent ones are kept" test "$(psql_q "SELECT count(*) FROM workos_events")" = "$n_before"

# A page holding an event of the wrong types: that one skipped with a line, the rest applied.
now_iso=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
page=$(jq -nc --arg t "$now_iso" '{object:"list", list_metadata:{before:null, after:"event_good_1"}, data:[
  {object:"event", id:"event_bad_1", event:"user.updated", created_at:$t,
   data:{id:"user_01ANN", email:5, email_verified:"yes", updated_at:$t}},
  {object:"event", id:"event_good_1", event:"user.updated", created_at:$t,
   data:{object:"user", id:"user_01ANN", email:"ann@sync.example", email_verified:true,
         first_name:"Paged", last_name:null, updated_at:"2099-01-01T00:00:00.000Z"}}]}')
fake POST /_fake/faults "{\"endpoint\":\"events\",\"kind\":\"status\",\"status\":200,\"body\":$page}" >/dev/null
sync_once
check "a page with a malformed event: --once exits 0" test "$SYNC_RC" = 0
check "the malformed event is skipped with one line naming it" grep -q 'skipped WorkOS event "event_bad_1": data.email must be a string' "$T_RUN/sync.err"
check "the rest of the page is applied" test "$(psql_q "SELECT first_name FROM users WHERE id = $ann")" = Paged
check "the cursor moves past both" test "$(psql_q "SELECT cursor FROM workos_sync_state")" = event_good_1
check "the malformed event is not recorded as applied" test "$(psql_q "SELECT count(*) FROM workos_events WHERE id = 'event_bad_1'")" = 0
fake DELETE /_fake/faults >/dev/null

# --- an expired cursor: reported, memberships reconciled, then from now
fake POST /_fake/memberships '{"user_id":"user_01ANN","organization_id":"org_01SYNC","role":"member"}' >/dev/null
fake POST /_fake/memberships '{"user_id":"user_01BEN","organization_id":"org_01SYNC","status":"inactive"}' >/dev/null
fake POST /_fake/events/age '{"days":31}' >/dev/null
s_ben2=$(mksession "$ben" org_01SYNC)
sync_once
check "an expired cursor: --once exits 0" test "$SYNC_RC" = 0
check "the expired cursor is reported" grep -q 'refused the sync cursor .*older than the 30 days' "$T_RUN/sync.err"
check "a membership WorkOS lists again is reconciled" test "$(mstatus "$ann" org_01SYNC)" = active/member
check "a membership WorkOS lists inactive is reconciled" test "$(mstatus "$ben" org_01SYNC)" = inactive/admin
check "reconciling revokes the sessions it ends" test "$(revoked "$s_ben2")" = workos_membership_inactive
check "the sync restarts from now" test "$(psql_q "SELECT cursor IS NULL AND range_start IS NOT NULL FROM workos_sync_state")" = t
fake DELETE "/_fake/users/user_01ANN" >/dev/null
sync_once
check "after the reconciliation, new events are read" test -z "$(psql_q "SELECT workos_user_id FROM users WHERE id = $ann")"
check "and the cursor follows them again" test -n "$(psql_q "SELECT cursor FROM workos_sync_state")"

# A membership list that never ends (every page names a next one): at most
# 10 pages are read for a user, who is then skipped with a line naming
# them, and keeps the memberships held here; the reconciliation goes on.
ben_m=$(curl -gsS -H "Authorization: Bearer $WORKOS_API_KEY" \
    "$FAKE_URL/user_management/organization_memberships?user_id=user_01BEN&statuses=active,inactive,pending" | jq -c '.data[0]')
loop_page=$(jq -nc --argjson m "$ben_m" '{object:"list", list_metadata:{before:null, after:"om_again"}, data:[$m]}')
fake POST /_fake/faults "{\"endpoint\":\"memberships\",\"kind\":\"status\",\"status\":200,\"body\":$loop_page,\"count\":-1}" >/dev/null
fake POST /_fake/events/age '{"days":31}' >/dev/null
ben_before=$(mstatus "$ben" org_01SYNC)
n_linked=$(psql_q "SELECT count(*) FROM users WHERE workos_user_id IS NOT NULL")
m0=$(fake_stat memberships)
sync_once
check "a membership list that never ends: --once exits 0" test "$SYNC_RC" = 0
check "... the user is skipped with a line naming them" grep -q 'not reconciled: user "user_01BEN" has more than 1000 memberships' "$T_RUN/sync.err"
check "... at most 10 pages are read for each linked user" test "$(( $(fake_stat memberships) - m0 ))" -le $((10 * n_linked))
check "... and the user keeps the memberships held here" test "$(mstatus "$ben" org_01SYNC)" = "$ben_before"
check "... and the sync restarts from now" test "$(psql_q "SELECT cursor IS NULL AND range_start IS NOT NULL FROM workos_sync_state")" = t
fake DELETE /_fake/faults >/dev/null

# --- following, and SIGTERM
env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" WORKOS_API_KEY="$WORKOS_API_KEY" \
    WORKOS_API_BASE="$WORKOS_API_BASE" WORKOS_TIMEOUT="$WORKOS_TIMEOUT" \
    ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
    "$BIN_DIR/bin/workos-sync" --interval 200ms </dev/null >/dev/null 2>"$T_RUN/follow.err" &
follow=$!
echo "$follow" >>"$T_PIDS"
fake POST /_fake/users '{"id":"user_01BEN","first_name":"Followed"}' >/dev/null
for _ in $(seq 1 200); do
    [ "$(psql_q "SELECT first_name FROM users WHERE id = $ben")" = Followed ] && break
    sleep 0.1
done
check "a following workos-sync applies a new event" test "$(psql_q "SELECT first_name FROM users WHERE id = $ben")" = Followed
kill -TERM "$follow"
wait "$follow"
check "SIGTERM: workos-sync exits 0" test $? = 0
check "SIGTERM: it says it stops" grep -q 'stopping' "$T_RUN/follow.err"

check "workos-sync refuses to start without WORKOS_API_KEY" bash -c \
    "env -i PATH='$PATH' DATABASE_URL='$DATABASE_URL' '$BIN_DIR/bin/workos-sync' --once 2>&1 | grep -q 'WORKOS_API_KEY: is required'"
check "workos-sync refuses a bad --interval" bash -c "! '$BIN_DIR/bin/workos-sync' --interval soon 2>/dev/null"
check "the API key is not logged" bash -c "! grep -qF '$WORKOS_API_KEY' '$T_RUN/sync.all' '$T_RUN/follow.err' '$T_RUN/error.log'"
check "the webhook secret is not logged" bash -c "! grep -qF '$WORKOS_WEBHOOK_SECRET' '$T_RUN/sync.all' '$T_RUN/error.log'"

# --- removal to refusal for a real sign-in: the JWT the callback gave.  Its
# next write is refused: 401 when the JWT names its session (the session is
# revoked), else 403 (the membership is gone).
jar() { echo "$T_RUN/jar.$1"; }
signin() { # JAR QUERY: the browser flow against the fake WorkOS; answer in BODY
    req GET "/api/auth/workos/login?$2" -c "$1"
    CB=$(curl -gsS -o /dev/null -w '%{redirect_url}' "$(header Location)")
    req GET "${CB#http://127.0.0.1:$HTTP_PORT}" -b "$1"
}
refused_code() { # JWT: the status a refused write must have
    if b64url_json "$(cut -d. -f2 <<<"$1")" | jq -e '.sid | type == "string"' >/dev/null 2>&1; then
        echo 401
    else
        echo 403
    fi
}
fake POST /_fake/webhooks "{\"url\":\"http://127.0.0.1:$HTTP_PORT/api/webhooks/workos\",\"secret\":\"$WORKOS_WEBHOOK_SECRET\"}" >/dev/null
for how in webhook sync; do
    fake POST /_fake/users "{\"id\":\"user_01CAT_$how\",\"email\":\"cat.$how@sync.example\"}" >/dev/null
    om=$(fake POST /_fake/memberships "{\"user_id\":\"user_01CAT_$how\",\"organization_id\":\"org_01SYNC\",\"role\":\"member\"}" | jq -r .id)
    signin "$(jar cat$how)" "organization=org_01SYNC&login_hint=cat.$how%40sync.example"
    jwt=$(jq -r .jwt <<<"$BODY")
    post_as "$jwt" "Cat $how before"
    expect_status "$how: a member who signed in writes" 201
    fake POST /_fake/webhooks/flush >/dev/null
    [ "$how" = sync ] && fake POST /_fake/webhooks/faults '{"kind":"drop"}' >/dev/null
    fake DELETE "/_fake/memberships/$om" >/dev/null
    fake POST /_fake/webhooks/flush >/dev/null
    if [ "$how" = sync ]; then
        post_as "$jwt" "Cat $how lost"
        expect_status "$how: with the webhook lost, the write still passes" 201
        sync_once
    fi
    post_as "$jwt" "Cat $how after"
    want=$(refused_code "$jwt")
    check "$how: after WorkOS removes the membership, the next write is refused ($want)" test "$STATUS" = "$want"
done
fake POST /_fake/webhooks '{"url":null}' >/dev/null

# --- /api/health reports the sync's lag, and stays 200 when it is behind
req GET /api/health
expect_status "health is 200 with the sync" 200
expect_json "health keeps status and database and adds the sync's lag" '.status == "ok" and .database == "up" and (.workosSync.lagSeconds | type) == "number" and .workosSync.lagSeconds >= 0'
psql_q "UPDATE workos_events SET created_at = created_at - interval '2 hours'; UPDATE workos_sync_state SET caught_up_at = caught_up_at - interval '2 hours'"
req GET /api/health
expect_status "health is still 200 when only the sync is behind" 200
expect_json "the lag shows the sync two hours behind" '.workosSync.lagSeconds >= 7200'
psql_q "TRUNCATE workos_events"
req GET /api/health
expect_json "no event ever applied: workosSync is null" '.workosSync == null'
