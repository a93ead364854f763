/** Expected values in tests of the Registered Institutions list: an import's problems, a listed tier. */
import { strict as assert } from 'node:assert';
import type { Tier } from '../../common/agreement';
import type { CsvProblem } from '../../common/csv';
import type { FileTier } from '../../common/registry-file-schema';

/**
 * Problems written as `dura` prints them (`line 4, tiers: unknown tier "gold": …`), as the objects an
 * import returns: one line each, so that a long message does not spread one problem over five lines.
 */
export function csvProblems(lines: readonly string[]): CsvProblem[] {
  return lines.map((text) => {
    const match = /^line (\d+), ([a-z_]+): (.+)$/s.exec(text);
    assert.ok(match, `not a problem as dura prints it: ${text}`);
    return { line: Number(match[1]), field: match[2]!, message: match[3]! };
  });
}

/** A tier whose rule is domains, so no address is listed for it. */
export function domainsTier(tier: Tier, listedOn: string, agreementId: string | null = null): FileTier {
  return { tier, rule: 'domains', listedOn, agreementId, addresses: [] };
}
