#!/usr/bin/env bash
# Installs the benchmark's Python peer (awslambdaric + boto3, pinned in bench/peer/requirements.txt)
# into ./.venv-peer, apart from the tools' venv so nothing else is importable. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-peer"
req="$root/bench/peer/requirements.txt"
stamp="$venv/.requirements"
if [ -x "$venv/bin/python" ] && cmp -s "$req" "$stamp"; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
cp "$req" "$stamp"
