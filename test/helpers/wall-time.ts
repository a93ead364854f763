/**
 * Each fault test file prints its own wall time, setup and teardown included, which the README's table
 * and CI's time budget are read from. Call `wallClock` first inside the file's `describe` (its `before`
 * then runs first) and `report()` at the very end of the file's last `after` hook.
 */
export function wallClock(name: string): { report(): void } {
  let started = Date.now();
  before(() => {
    started = Date.now();
  });
  return {
    report() {
      process.stdout.write(`    [wall time] ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  };
}
