#!/usr/bin/env bash
# One command for a new user: install, build and generate from the built-in default config, and
# show that buildx reads the result if there is one. It touches neither the system's Docker nor
# apt and needs no root: the local build environment (engine, registry, base images) is the
# separate, opt-in scripts/e2e/setup-env.sh for CI and contributors on Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci
npm run build
node dist/src/cli/main.js generate
node dist/src/cli/main.js matrix | head -n 20
if docker buildx version >/dev/null 2>&1; then
  docker buildx bake --print postgresql-17-minimal-bookworm >/dev/null && echo "setup: buildx reads docker-bake.hcl"
else
  echo "setup: no docker buildx here; the generated files are ready for any machine that has it"
fi
