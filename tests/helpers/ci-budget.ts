// CI has 90 minutes for a cold `.ci/run` on two cores. The costliest end-to-end suites say how long
// they take cold; when what is left of CI's budget cannot hold one, it is skipped and says why on
// stderr (a skipped suite is counted as skipped in the closing line, never as passed). Outside CI
// (PGBAKE_CI_STARTED unset) every suite runs. Each suite's own switch still turns it off.
const started = Number(process.env.PGBAKE_CI_STARTED ?? "");
const budgetMinutes = Number(process.env.PGBAKE_CI_BUDGET_MINUTES ?? "65");

/** Whether a suite that takes `coldMinutes` fits what is left of CI's budget (always, outside CI). */
export function fitsCiBudget(suite: string, coldMinutes: number, now = Date.now() / 1000): boolean {
  if (!Number.isFinite(started) || started <= 0) return true;
  const elapsed = (now - started) / 60;
  if (elapsed + coldMinutes <= budgetMinutes) return true;
  process.stderr.write(`pgbake CI budget: ${suite} skipped: ${elapsed.toFixed(0)} of ${budgetMinutes} minutes used and it takes about ${coldMinutes} cold (run it alone: see README, "Tests")\n`);
  return false;
}
