/**
 * Queries of the Registered Institutions list (institutions + institution_tiers + institution_domains),
 * shared by the records store's lookup, search, registry update and import. The registry's other parts
 * (domains, membership rules, addresses, officials) are in registry.ts.
 */
import type { Kysely } from 'kysely';
import { normalizeDomain, TIERS, type Tier } from '../../common/agreement';
import type { InstitutionRecord } from '../interfaces';
import { compareNames } from '../../common/collation';
import { institutionsNamedBy } from './institution-search';
import type { Database } from './schema';

/** An institution as the list shows it: each tier with the date it was listed and by which agreement. */
export interface RegistryEntry extends InstitutionRecord {
  /** `lapsedOn`: the tier's agreement ended unrenewed (005_agreement_terms); `tiers` leaves it out. */
  listed: Array<{
    tier: Tier;
    /** Who the tier covers (absent for the default, `domains`): `individual`, listed addresses only. */
    rule?: 'individual';
    listedOn: string;
    agreementId: string | null;
    lapsedOn?: string;
  }>;
}

// Keeps every batched INSERT far below SQLite's (32766) and PostgreSQL's (65535) parameter limits.
const BATCH = 500;

/** Institutions in name order: one by exact domain, those whose name or domain contains a fragment, or all. */
export async function queryInstitutions(
  db: Kysely<Database>,
  where: { domain?: string; fragment?: string },
): Promise<RegistryEntry[]> {
  const ids = where.fragment ? await institutionsNamedBy(db, where.fragment) : undefined;
  if (ids && ids.length === 0) return [];
  const rows = await db
    .selectFrom('institutions as i')
    .leftJoin('institution_tiers as t', 't.domain', 'i.domain')
    .select(['i.domain', 'i.name', 't.tier', 't.rule', 't.listed_on', 't.agreement_id', 't.lapsed_on'])
    .$if(where.domain !== undefined, (q) => q.where('i.domain', '=', where.domain!))
    // A name without its accents, or any of its domains (institution-search.ts).
    .$if(ids !== undefined, (q) => q.where('i.domain', 'in', ids!))
    .execute();

  const byDomain = new Map<string, RegistryEntry>();
  for (const row of rows) {
    let entry = byDomain.get(row.domain);
    if (!entry) {
      entry = { name: row.name, domain: row.domain, tiers: [], listed: [] };
      byDomain.set(row.domain, entry);
    }
    if (row.tier !== null && isTier(row.tier)) {
      const lapsed = row.lapsed_on ? { lapsedOn: row.lapsed_on } : {};
      entry.listed.push({
        tier: row.tier,
        ...(row.rule === 'individual' ? { rule: 'individual' as const } : {}),
        listedOn: row.listed_on ?? '',
        agreementId: row.agreement_id,
        ...lapsed,
      });
    }
  }
  for (const entry of byDomain.values()) {
    entry.listed.sort((a, b) => TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier));
    entry.tiers = entry.listed.filter((l) => !l.lapsedOn).map((l) => l.tier);
  }
  return [...byDomain.values()].sort(
    (a, b) => compareNames(a.name, b.name) || a.domain.localeCompare(b.domain),
  );
}

/**
 * Upserts institutions and inserts their tiers; returns how many institutions. A tier already listed
 * keeps its date and agreement (its first listing), so calling it twice changes nothing. `rename`: the
 * given name replaces a listed one (an import of the list) or not (an agreement's requester's spelling).
 * A domain that is another institution's (institution_domains) lists that institution; a new
 * institution gets its own domain in institution_domains.
 */
export async function upsertInstitutions(
  db: Kysely<Database>,
  records: InstitutionRecord[],
  options: { listedOn: string; agreementId: string | null; rename: boolean },
): Promise<number> {
  // PostgreSQL refuses an upsert that touches one row twice: the last name of an institution wins, and
  // its tiers are those of all its records.
  const owners = await ownersOf(db, [...new Set(records.map((r) => normalizeDomain(r.domain)))]);
  const unique = new Map<string, { name: string; tiers: Set<Tier> }>();
  for (const r of records) {
    const domain = normalizeDomain(r.domain);
    const id = owners.get(domain) ?? domain;
    const tiers = unique.get(id)?.tiers ?? new Set<Tier>();
    r.tiers.forEach((t) => tiers.add(t));
    unique.set(id, { name: r.name, tiers });
  }
  const now = new Date().toISOString();
  const institutions = [...unique].map(([domain, r]) => ({ domain, name: r.name.trim(), updated_at: now }));
  const tiers = [...unique].flatMap(([domain, r]) =>
    [...r.tiers].map((tier) => ({
      domain,
      tier,
      listed_on: options.listedOn,
      agreement_id: options.agreementId,
    })),
  );

  for (let i = 0; i < institutions.length; i += BATCH) {
    await db
      .insertInto('institutions')
      .values(institutions.slice(i, i + BATCH))
      .onConflict((oc) =>
        oc.column('domain').doUpdateSet((eb) => ({
          updated_at: eb.ref('excluded.updated_at'),
          ...(options.rename ? { name: eb.ref('excluded.name') } : {}),
        })),
      )
      .execute();
  }
  const domains = institutions.map((i) => ({ domain: i.domain, institution: i.domain }));
  for (let i = 0; i < domains.length; i += BATCH) {
    await db
      .insertInto('institution_domains')
      .values(domains.slice(i, i + BATCH))
      .onConflict((oc) => oc.column('domain').doNothing())
      .execute();
  }
  for (let i = 0; i < tiers.length; i += BATCH) {
    await db
      .insertInto('institution_tiers')
      .values(tiers.slice(i, i + BATCH))
      // Listed for its domains now (an executed agreement, an import): a tier that required individual
      // agreements no longer does; its first date and agreement stay.
      .onConflict((oc) => oc.columns(['domain', 'tier']).doUpdateSet({ rule: 'domains' }))
      .execute();
  }
  return unique.size;
}

/** The institution each domain belongs to (institution_domains), for the domains on the list. */
export async function ownersOf(db: Kysely<Database>, domains: string[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (let i = 0; i < domains.length; i += BATCH) {
    const rows = await db
      .selectFrom('institution_domains')
      .select(['domain', 'institution'])
      .where('domain', 'in', domains.slice(i, i + BATCH))
      .execute();
    rows.forEach((r) => owners.set(r.domain, r.institution));
  }
  return owners;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function isTier(value: string): value is Tier {
  return (TIERS as readonly string[]).includes(value);
}
