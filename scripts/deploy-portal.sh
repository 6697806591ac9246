#!/usr/bin/env bash
# Publishes the reference portal (portal/) to a stack deployed with HostPortal=true:
#   scripts/deploy-portal.sh <stack name>
# Writes the portal's config.json from the stack (the API's URL; sign-in by OIDC code flow with
# PKCE against JwtIssuer for the JwtAudience app client), copies the files to PortalBucket and
# invalidates the distribution. Needs the AWS CLI and credentials for the stack's account.
set -euo pipefail
stack="${1:?usage: scripts/deploy-portal.sh <stack name>}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out() { aws cloudformation describe-stacks --stack-name "$stack" --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text; }
param() { aws cloudformation describe-stacks --stack-name "$stack" --query "Stacks[0].Parameters[?ParameterKey=='$1'].ParameterValue" --output text; }
bucket="$(out PortalBucketName)"
distribution="$(out PortalDistributionId)"
if [ -z "$bucket" ] || [ "$bucket" = "None" ]; then
  echo "$stack has no portal bucket: deploy it with HostPortal=true and PortalCertificateArn" >&2
  exit 1
fi
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp -R "$root/portal/." "$staging/"
python3 - "$staging/config.json" "$(out ApiUrl)" "$(param JwtIssuer)" "$(param JwtAudience)" <<'PY'
import json, sys
path, api, issuer, client = sys.argv[1:5]
json.dump({"apiBase": api, "auth": {"kind": "oidc", "issuer": issuer, "clientId": client, "scope": "openid"}},
          open(path, "w"), indent=2)
PY
aws s3 sync "$staging/" "s3://$bucket/" --delete --cache-control "no-cache"
aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/*" >/dev/null
echo "portal published: $(param PortalOrigin)/"
