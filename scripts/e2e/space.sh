# shellcheck shell=bash
# Step 3b of setup-env.sh: room on the disk under $STATE_DIR before anything is built. Every bake
# pushes new timestamped tags and leaves build cache behind, so a machine that keeps this state
# between runs (a contributor's, or a CI machine reused from a snapshot) fills up: a run that
# starts with too little room dies halfway with ENOSPC in whichever test writes next. Sourced
# after lib.sh and daemons.sh. Knob:
#   PGBAKE_E2E_MIN_FREE_GB   free space the e2e run needs (default 45: a cold CI run took 43 GB at its peak)

: "${PGBAKE_E2E_MIN_FREE_GB:=45}"

free_gb() { df -P -BG "$STATE_DIR" | awk 'NR == 2 { sub("G", "", $4); print $4 }'; }

ensure_space() {
  local need=$PGBAKE_E2E_MIN_FREE_GB have
  have=$(free_gb)
  if ((have >= need)); then
    log "disk: ${have} GB free under $STATE_DIR (the e2e run needs $need)"
    return
  fi
  # The engine and its cache are this script's own (preflight refuses anyone else's): what they
  # hold is rebuilt on demand, so pruning costs time, never data.
  log "disk: ${have} GB free under $STATE_DIR, below $need: pruning this engine's build cache, stopped containers and unused images"
  "$DOCKER" container prune -f >/dev/null
  "$DOCKER" builder prune -af >/dev/null
  "$DOCKER" image prune -af >/dev/null
  have=$(free_gb)
  if ((have < need)) && [[ ${PGBAKE_CI:-0} == 1 ]]; then
    # The registry may hold a user's own pushes, so only CI's disposable machine empties it; the
    # bases come back from the debootstrap cache in build_bases.
    log "disk: ${have} GB free after pruning; PGBAKE_CI=1: emptying the local registry ($REG_DIR/data)"
    if [[ -f $REG_PID ]] && kill -0 "$(cat "$REG_PID")" 2>/dev/null; then
      kill "$(cat "$REG_PID")"
      sleep 1
    fi
    rm -rf "$REG_DIR/data"
    start_registry
    have=$(free_gb)
  fi
  ((have >= need)) ||
    die "disk: only ${have} GB free under $STATE_DIR after pruning the build cache, and the e2e run needs $need. The local registry ($REG_DIR/data) holds what was pushed to localhost:5000: scripts/e2e/cleanup-env.sh --keep-cache removes it with the rest of this state, or set PGBAKE_E2E_MIN_FREE_GB lower at your own risk."
  log "disk: ${have} GB free under $STATE_DIR after pruning"
}
