/**
 * The Registered Institutions list as the public sees it (`dura web`'s /institutions and
 * /api/institutions): each institution's id, name, e-mail domains and listed tiers, with who a tier
 * covers and since when. It reads institutions, institution_domains and institution_tiers only: the
 * addresses an individual tier lists, the signing officials and the contacts are never read here, so
 * they cannot reach a page.
 */
import type { Kysely } from 'kysely';
import { TIERS, type Tier } from '../../common/agreement';
import { compareNames } from '../../common/collation';
import { institutionsNamedBy } from './institution-search';
import type { Database } from './schema';

export interface PublicTier {
  tier: Tier;
  /** `institution`: any address at its domains (rule `domains`); `individual`: listed addresses only. */
  access: 'institution' | 'individual';
  /** The date it was listed, YYYY-MM-DD. */
  listedOn: string;
  /**
   * Present when the tier lapsed (issue 18): its agreement's end date passed unrenewed, YYYY-MM-DD. It
   * stays on the list, marked, and covers no one until a renewal is executed.
   */
  lapsedOn?: string;
}

export interface PublicInstitution {
  /** The primary e-mail domain. */
  id: string;
  name: string;
  /** Every e-mail domain, the id first, then in alphabetical order. */
  domains: string[];
  /** In TIERS order (registered first); never empty. */
  tiers: PublicTier[];
}

/** The longest search text taken; a longer one is cut (it could match nothing anyway). */
export const MAX_QUERY = 200;

/**
 * Institutions listed for at least one tier, in name order (then id); with `query`, those whose name
 * or any of whose domains contains it, accents and case aside (as `dura institutions lookup`). E.g.
 * `[{ id: 'uw.edu', name: 'University of Washington', domains: ['uw.edu', 'washington.edu'], tiers:
 * [{ tier: 'registered', access: 'institution', listedOn: '2026-01-05' }] }]`; a lapsed tier also has
 * `lapsedOn: '2027-03-12'`.
 */
export async function publicInstitutions(db: Kysely<Database>, query = ''): Promise<PublicInstitution[]> {
  const text = query.trim().slice(0, MAX_QUERY);
  // The ids that match, accents and case aside (institution-search.ts); each read below is limited to them.
  const matching = text ? await institutionsNamedBy(db, text) : [];
  if (text && matching.length === 0) return [];
  const searched = text !== '';
  const [institutions, domains, tiers] = await Promise.all([
    db
      .selectFrom('institutions')
      .select(['domain', 'name'])
      .$if(searched, (q) => q.where('domain', 'in', matching))
      .execute(),
    db
      .selectFrom('institution_domains')
      .select(['domain', 'institution'])
      .$if(searched, (q) => q.where('institution', 'in', matching))
      .orderBy('domain')
      .execute(),
    db
      .selectFrom('institution_tiers')
      .select(['domain', 'tier', 'rule', 'listed_on', 'lapsed_on'])
      .$if(searched, (q) => q.where('domain', 'in', matching))
      .execute(),
  ]);

  const domainsOf = new Map<string, string[]>();
  for (const d of domains) domainsOf.set(d.institution, [...(domainsOf.get(d.institution) ?? []), d.domain]);
  const tiersOf = new Map<string, PublicTier[]>();
  for (const t of tiers) {
    if (!(TIERS as readonly string[]).includes(t.tier)) continue;
    const tier: PublicTier = {
      tier: t.tier as Tier,
      access: t.rule === 'individual' ? 'individual' : 'institution',
      listedOn: t.listed_on,
      ...(t.lapsed_on ? { lapsedOn: t.lapsed_on } : {}),
    };
    tiersOf.set(t.domain, [...(tiersOf.get(t.domain) ?? []), tier]);
  }

  institutions.sort((a, b) => compareNames(a.name, b.name) || a.domain.localeCompare(b.domain));
  return institutions.flatMap((i) => {
    const listed = (tiersOf.get(i.domain) ?? []).sort(
      (a, b) => TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier),
    );
    // An institution with no tier left is not on the list (its row only keeps its name and contacts).
    if (listed.length === 0) return [];
    const others = (domainsOf.get(i.domain) ?? []).filter((d) => d !== i.domain);
    return [{ id: i.domain, name: i.name, domains: [i.domain, ...others], tiers: listed }];
  });
}
