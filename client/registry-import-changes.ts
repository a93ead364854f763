/**
 * What an `institutions import` of the simple `domain,name,tiers` format changed: institutions added
 * (counted), and a line for each one renamed, listed for a new tier, or whose tier went back to the
 * `domains` rule (the import's documented reset, which widens access: a trial's mit.edu Controlled Tier,
 * individual before, covered every mit.edu address after, and the import said only "imported 4").
 */
import type { InstitutionProfile } from '../activities/records/store';

type Profile = Pick<InstitutionProfile, 'id' | 'name' | 'tiers'>;

/** `before` and `after` by row, in file order; one line per institution that changed. */
export function registryImportChanges(
  rows: ReadonlyArray<{ domain: string; before: Profile | null; after: Profile | null }>,
): { added: number; changed: number; unchanged: number; lines: string[] } {
  const lines: string[] = [];
  const seen = new Set<string>();
  let added = 0;
  let changed = 0;
  let unchanged = 0;
  for (const { domain, before, after } of rows) {
    const id = after?.id ?? domain;
    if (seen.has(id)) continue; // two rows of one institution (its domains): counted once
    seen.add(id);
    if (!before) {
      added++; // counted only: a first import adds hundreds
      continue;
    }
    const notes: string[] = [];
    if (after && after.name !== before.name) notes.push(`name ${before.name} → ${after.name}`);
    for (const tier of after?.tiers ?? []) {
      const was = before.tiers.find((t) => t.tier === tier.tier);
      if (!was) notes.push(`listed for ${tier.tier}`);
      else if (was.rule !== tier.rule)
        notes.push(
          `${tier.tier}: rule ${was.rule} → ${tier.rule} (any address at its domains is covered now)`,
        );
    }
    if (notes.length) {
      changed++;
      lines.push(`changed ${id}: ${notes.join('; ')}`);
    } else unchanged++;
  }
  return { added, changed, unchanged, lines };
}
