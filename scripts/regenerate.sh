#!/usr/bin/env bash
# Regenerates every committed output (the default config and each example) with the built CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
node dist/src/cli/main.js generate
for dir in examples/*/; do
  node dist/src/cli/main.js generate --config "${dir}pgbake.yaml" --extensions "${dir}extensions"
done
