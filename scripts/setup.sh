#!/usr/bin/env bash
# One command for a new user: install, build, start the local build environment (Docker engine,
# buildx, registry on localhost:5000, base images), generate from the built-in default config,
# and show that buildx reads the result.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci
npm run build
if [ "$(id -u)" = 0 ]; then bash scripts/e2e/setup-env.sh; else echo "setup: not root, skipping the local Docker environment"; fi
node dist/src/cli/main.js generate
node dist/src/cli/main.js matrix | head -n 20
if docker buildx version >/dev/null 2>&1; then
  docker buildx bake --print postgresql-17-minimal-bookworm >/dev/null && echo "setup: buildx reads docker-bake.hcl"
fi
