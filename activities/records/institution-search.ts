/**
 * Which institutions a search finds: those whose name contains the text, accents and case aside
 * (`universite` finds "Université de Montréal", common/collation.ts searchFold), or any of whose domains
 * does. Matched here, not in SQL: neither SQLite nor PostgreSQL folds accents without an extension, and
 * the list is a few thousand rows at most.
 */
import type { Kysely } from 'kysely';
import { searchFold } from '../../common/collation';
import type { Database } from './schema';

/** The ids (primary domains) of the institutions `text` finds; every one for empty text. */
export async function institutionsMatching(db: Kysely<Database>, text: string): Promise<string[]> {
  const wanted = searchFold(text.trim());
  const [names, domains] = await Promise.all([
    db.selectFrom('institutions').select(['domain', 'name']).execute(),
    db.selectFrom('institution_domains').select(['domain', 'institution']).execute(),
  ]);
  const found = new Set(
    names
      .filter((i) => searchFold(i.name).includes(wanted) || i.domain.includes(wanted))
      .map((i) => i.domain),
  );
  for (const d of domains) if (d.domain.includes(wanted)) found.add(d.institution);
  return [...found];
}

/**
 * The institutions `text` names as a person types it: an e-mail address (a trial searched
 * `ned@tufts.edu`) or a web address (`https://www.tufts.edu/`) names its domain's institution, or the
 * nearest parent domain's that has one (`ned@med.tufts.edu`: tufts.edu's); anything else as
 * `institutionsMatching` finds it.
 */
export async function institutionsNamedBy(db: Kysely<Database>, text: string): Promise<string[]> {
  const typed = text.trim().toLowerCase();
  const host =
    /^[^@\s]*@([^@\s]+)$/.exec(typed)?.[1] ??
    /^(?:https?:\/\/)?(?:www\.)?([a-z0-9.-]+\.[a-z]{2,})(?:[/:?#].*)?$/.exec(typed)?.[1];
  if (!host || host === typed) return institutionsMatching(db, text);
  const labels = host.split('.').filter(Boolean);
  for (let i = 0; i + 2 <= labels.length; i++) {
    const found = await institutionsMatching(db, labels.slice(i).join('.'));
    if (found.length) return found;
  }
  return [];
}
