#!/usr/bin/env bash
# Installs moto (server mode) into ./.venv once and prints the path of its server command.
# Used by the test harness (tests/support) and by `make run`; CI calls it through `make test`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
want="moto[server]==5.2.5"
if [ ! -x "$venv/bin/moto_server" ] || ! "$venv/bin/python" -c 'import moto,sys; sys.exit(moto.__version__ != "5.2.5")' 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$want" >&2
fi
echo "$venv/bin/moto_server"
