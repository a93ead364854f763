/**
 * Polls `check` every 100 ms until it holds; fails the test after `ms`, with `what()` (e.g. a
 * subprocess's output so far) in the message when given.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms = 20_000,
  what?: () => string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting${what ? `: ${what()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
