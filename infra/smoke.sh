#!/usr/bin/env bash
# Smoke-tests a deployed stack with a real partner token:
#   API_URL=https://abc.execute-api.eu-west-1.amazonaws.com TOKEN=<partner JWT> infra/smoke.sh
# (TOKEN: an ID/access token from the user pool whose claims carry partner_id,
# partner_locations and roles, e.g. incentives_admin; LOCATION: one of its locations.)
# It creates a draft, reads it, lists it, cancels it, fetches the PoE template, and checks the
# public consent route refuses a bad link — leaving nothing behind but a cancelled draft.
set -euo pipefail
: "${API_URL:?set API_URL to the stack's ApiUrl output}"
: "${TOKEN:?set TOKEN to a partner JWT}"
: "${LOCATION:?set LOCATION to one of the token's partner_locations}"
auth=(-H "authorization: Bearer $TOKEN")
fail() { echo "FAIL: $*" >&2; exit 1; }
status() { curl -s -o /tmp/cpor-smoke.json -w '%{http_code}' "$@"; }

[ "$(status "${auth[@]}" "$API_URL/claims?limit=1")" = 200 ] || fail "GET /claims: $(cat /tmp/cpor-smoke.json)"
[ "$(status "$API_URL/claims")" = 401 ] || fail "GET /claims without a token should be 401"
body=$(cat <<JSON
{"name": "cpor smoke test", "partnerLocationId": "$LOCATION",
 "customer": {"tenantId": "00000000-0000-4000-8000-$(date +%s | tail -c 13 | head -c 12)"},
 "solutionArea": "modern_work_security", "partnerRole": "use_or_consume",
 "products": [{"product": "teams"}],
 "customerContact": {"name": "Smoke Test", "title": "None", "email": "smoke@example.com"},
 "partnerContact": {"name": "Smoke Test", "email": "smoke@example.com"}}
JSON
)
[ "$(status "${auth[@]}" -H 'content-type: application/json' -d "$body" "$API_URL/claims")" = 201 ] \
  || fail "POST /claims: $(cat /tmp/cpor-smoke.json)"
id=$(python3 -c 'import json; print(json.load(open("/tmp/cpor-smoke.json"))["id"])')
[ "$(status "${auth[@]}" "$API_URL/claims/$id")" = 200 ] || fail "GET /claims/$id"
[ "$(status "${auth[@]}" "$API_URL/claims/$id/history")" = 200 ] || fail "GET history"
[ "$(status "${auth[@]}" -X DELETE "$API_URL/claims/$id")" = 204 ] || fail "DELETE (cancel) $id"
[ "$(status "${auth[@]}" "$API_URL/poe-template")" = 200 ] || fail "GET /poe-template"
[ "$(status "$API_URL/consent/not-a-token")" = 404 ] || fail "GET /consent/<bad> should be 404"
echo "smoke test passed (draft $id created and cancelled)"
