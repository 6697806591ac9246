#!/usr/bin/env bash
# Installs the pinned Python-packaged tools into ./.venv: moto (the AWS emulator), cfn-lint
# (template checks), openapi-spec-validator (docs/openapi.json) and cargo-lambda (arm64
# packaging; it brings zig). Idempotent.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/moto.sh" >/dev/null
venv="$root/.venv"
want=("cfn-lint==1.58.0" "cargo-lambda==1.9.2" "openapi-spec-validator==0.7.2")
missing=()
for pkg in "${want[@]}"; do
  name="${pkg%%==*}"; version="${pkg##*==}"
  have="$("$venv/bin/pip" show "$name" 2>/dev/null | sed -n 's/^Version: //p' || true)"
  [ "$have" = "$version" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${missing[@]}" >&2
fi
