#!/bin/sh
# make token: print a JWT for the local development user of `make run`
# (dev@example.com, or TOKEN_EMAIL; made on first use).  Needs `make run`
# to be running in this checkout.
#
#   make -s token                          # the user, no organization
#   make -s token ORG=org_demo ROLE=admin  # a member of org_demo with that
#                                          # role: may write its blog posts
#
# With ORG, the organization and the membership are made (or the role
# updated) in the local database and, when make run uses the fake WorkOS,
# at the fake too, so a sign-in through it gives the same membership.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tools/running.sh"
need_running token
EMAIL=${TOKEN_EMAIL:-dev@example.com}
ORG=${ORG:-}
ROLE=${ROLE:-}
if [ -z "$ORG" ] && [ -n "$ROLE" ]; then
    echo "make token: ROLE needs ORG (the organization it is a role in), e.g. ORG=org_demo ROLE=admin" >&2
    exit 1
fi
set -a
. "$ROOT/var/secrets.env"
set +a

if [ -n "$ORG" ] && [ -n "${FAKE_WORKOS_URL:-}" ]; then
    fake() { # METHOD PATH [JSON]
        curl -gsS --fail-with-body -X "$1" -H 'Content-Type: application/json' \
            ${3:+--data "$3"} "$FAKE_WORKOS_URL$2"
    }
    fake POST /_fake/organizations "$(jq -nc --arg id "$ORG" '{id: $id, name: $id}')" >/dev/null
    uid=$(curl -gsS -H "Authorization: Bearer sk_test_fake" \
        "$FAKE_WORKOS_URL/user_management/users?email=$(jq -rn --arg e "$EMAIL" '$e|@uri')" |
        jq -r '.data[0].id // empty')
    if [ -z "$uid" ]; then
        uid=$(fake POST /_fake/users "$(jq -nc --arg e "$EMAIL" '{email: $e, first_name: ($e|split("@")[0])}')" |
            jq -r '.id // empty')
    fi
    [ -n "$uid" ] || { echo "make token: the fake WorkOS did not make the user $EMAIL" >&2; exit 1; }
    fake POST /_fake/memberships "$(jq -nc --arg u "$uid" --arg o "$ORG" --arg r "${ROLE:-member}" \
        '{user_id: $u, organization_id: $o, role: $r}')" >/dev/null
fi

exec "$ROOT/bin/token" --email "$EMAIL" --create ${ORG:+--org "$ORG" --role "${ROLE:-member}"}
