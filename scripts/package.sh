#!/usr/bin/env bash
# Builds every function for Lambda (arm64, provided.al2023) with cargo-lambda and reports each
# zip's size: target/lambda/<function>/bootstrap.zip. `sam build` does the same per function.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/tools.sh
export PATH="$root/.venv/bin:$PATH"
packages=()
for dir in functions/*/; do
  [ -f "$dir/Cargo.toml" ] && packages+=(-p "$(basename "$dir")")
done
cargo lambda build --release --arm64 --output-format zip "${packages[@]}"
printf '%-22s %12s %12s\n' function zip_bytes binary_bytes
for dir in functions/*/; do
  name="$(basename "$dir")"
  zip="target/lambda/$name/bootstrap.zip"
  [ -f "$zip" ] || { echo "missing $zip" >&2; exit 1; }
  size=$(unzip -l "$zip" | awk '$4 == "bootstrap" {print $1}')
  printf '%-22s %12s %12s\n' "$name" "$(stat -c %s "$zip")" "$size"
done
