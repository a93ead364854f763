/**
 * The Registered Institutions list as a registry (migration 002_registry; docs/design.md, "Institutions,
 * coverage and agreements"): all of an institution's e-mail domains, each tier's membership rule with
 * the addresses an individual rule covers, its signing officials and its contracting contact.
 *
 * An institution is named by any of its domains (its id, the primary domain, included); a domain
 * belongs to one institution only. This file reads the registry; registry-changes.ts changes it.
 */
import type { Kysely } from 'kysely';
import { TIERS, type Tier } from '../../common/agreement';
import { asciiDomain } from '../../common/idn';
import { registrableDomain, type CoverageInstitution, type MembershipRule } from '../../common/coverage';
import { escapeLike } from './institutions';
import type { Database } from './schema';

/** A change of the registry refused: bad input, unknown institution, a domain of another one. */
export class RegistryError extends Error {
  override name = 'RegistryError';
}

export interface ListedAddress {
  email: string;
  /** YYYY-MM-DD */
  listedOn: string;
  agreementId: string | null;
  /** The day its individual agreement's term lapsed (005_agreement_terms), YYYY-MM-DD; absent: in force. */
  lapsedOn?: string | null;
  lapsedBy?: string | null;
}

export interface InstitutionOfficial {
  name: string;
  email: string;
  title: string | null;
}

/** An institution with everything the registry holds about it. */
export interface InstitutionProfile extends CoverageInstitution {
  /** The primary domain first, then the others in alphabetical order. */
  domains: string[];
  /** In TIERS order; `addresses` are those an `individual` rule covers (kept when the rule is domains). */
  tiers: Array<{
    tier: Tier;
    rule: MembershipRule;
    listedOn: string;
    agreementId: string | null;
    addresses: ListedAddress[];
    /** The day the tier lapsed (its agreement's end date passed unrenewed), YYYY-MM-DD; absent: in force. */
    lapsedOn?: string | null;
    /** The agreement whose term lapsed. */
    lapsedBy?: string | null;
  }>;
  /** Its signing officials, by name. */
  officials: InstitutionOfficial[];
  contractingContact: string | null;
  /** Who gets the monthly registration report (issue 18), or null: none is sent. */
  reportContact: string | null;
}

/** The outcome of a change: the institution's id, and whether anything changed. */
export interface RegistryChange {
  institution: string;
  changed: boolean;
}

/** The id of the institution the domain belongs to (exact match, any case), or null: not listed. */
export async function institutionIdFor(db: Kysely<Database>, domain: string): Promise<string | null> {
  const row = await db
    .selectFrom('institution_domains')
    .select('institution')
    .where('domain', '=', asciiDomain(domain))
    .executeTakeFirst();
  return row?.institution ?? null;
}

/** The institution the domain (any of its domains, any case) belongs to, whole; null when not listed. */
export async function readInstitution(
  db: Kysely<Database>,
  domain: string,
): Promise<InstitutionProfile | null> {
  const id = await institutionIdFor(db, domain);
  if (!id) return null;
  const row = await db.selectFrom('institutions').selectAll().where('domain', '=', id).executeTakeFirst();
  if (!row) return null;
  const [domains, tiers, addresses, officials] = await Promise.all([
    db.selectFrom('institution_domains').select('domain').where('institution', '=', id).execute(),
    db.selectFrom('institution_tiers').selectAll().where('domain', '=', id).execute(),
    db
      .selectFrom('institution_addresses')
      .selectAll()
      .where('institution', '=', id)
      .orderBy('email')
      .execute(),
    db
      .selectFrom('institution_officials')
      .selectAll()
      .where('institution', '=', id)
      .orderBy('name')
      .orderBy('email')
      .execute(),
  ]);
  return {
    id,
    name: row.name,
    domains: [
      id,
      ...domains
        .map((d) => d.domain)
        .filter((d) => d !== id)
        .sort(),
    ],
    tiers: tiers
      .filter((t) => (TIERS as readonly string[]).includes(t.tier))
      .sort((a, b) => TIERS.indexOf(a.tier as Tier) - TIERS.indexOf(b.tier as Tier))
      .map((t) => ({
        tier: t.tier as Tier,
        rule: t.rule === 'individual' ? 'individual' : 'domains',
        listedOn: t.listed_on,
        agreementId: t.agreement_id,
        // Only when lapsed: a tier in force keeps the shape exports and registry files have always had.
        ...(t.lapsed_on ? { lapsedOn: t.lapsed_on, lapsedBy: t.lapsed_by ?? null } : {}),
        addresses: addresses
          .filter((a) => a.tier === t.tier)
          .map((a) => ({
            email: a.email,
            listedOn: a.listed_on,
            agreementId: a.agreement_id,
            ...(a.lapsed_on ? { lapsedOn: a.lapsed_on, lapsedBy: a.lapsed_by ?? null } : {}),
          })),
      })),
    officials: officials.map((o) => ({ name: o.name, email: o.email, title: o.title })),
    contractingContact: row.contracting_contact,
    reportContact: row.report_contact,
  };
}

/**
 * For a domain not on the list, a listed institution one of whose domains shares its registrable
 * domain (med.uw.edu → the institution of uw.edu): the closest ancestor domain first (cs.med.uw.edu:
 * med.uw.edu before uw.edu), then any other by name. Null when the domain is listed or none shares it.
 */
export async function likelyParent(
  db: Kysely<Database>,
  domain: string,
): Promise<{ id: string; name: string; domain: string } | null> {
  const wanted = asciiDomain(domain);
  const base = registrableDomain(wanted);
  if (!base || (await institutionIdFor(db, wanted))) return null;
  const rows = await db
    .selectFrom('institution_domains as d')
    .innerJoin('institutions as i', 'i.domain', 'd.institution')
    .select(['d.domain', 'd.institution', 'i.name'])
    .where((eb) => eb.or([eb('d.domain', '=', base), eb('d.domain', 'like', `%.${escapeLike(base)}`)]))
    .orderBy('i.name')
    .orderBy('d.domain')
    .execute();
  const candidates = rows.filter((r) => registrableDomain(r.domain) === base);
  const ancestors = candidates
    .filter((r) => wanted.endsWith(`.${r.domain}`))
    .sort((a, b) => b.domain.length - a.domain.length);
  const best = ancestors[0] ?? candidates[0];
  return best ? { id: best.institution, name: best.name, domain: best.domain } : null;
}

/**
 * Every institution on the list, whole (as readInstitution reads one), in the order of their ids. Five
 * queries whatever the list's length: `dura institutions export` and its import read it all.
 */
export async function readInstitutions(db: Kysely<Database>): Promise<InstitutionProfile[]> {
  const [rows, domains, tiers, addresses, officials] = await Promise.all([
    db.selectFrom('institutions').selectAll().execute(),
    db.selectFrom('institution_domains').selectAll().execute(),
    db.selectFrom('institution_tiers').selectAll().execute(),
    db.selectFrom('institution_addresses').selectAll().execute(),
    db.selectFrom('institution_officials').selectAll().execute(),
  ]);
  // Sorted here, not in SQL: PostgreSQL's collation may order text differently from SQLite's.
  const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const group = <T>(list: T[], key: (item: T) => string) => {
    const map = new Map<string, T[]>();
    for (const item of list) {
      const same = map.get(key(item));
      if (same) same.push(item);
      else map.set(key(item), [item]);
    }
    return map;
  };
  const domainsOf = group(domains, (d) => d.institution);
  const tiersOf = group(tiers, (t) => t.domain);
  const addressesOf = group(
    addresses.sort((a, b) => byCode(a.email, b.email)),
    (a) => `${a.institution}\n${a.tier}`,
  );
  const officialsOf = group(
    officials.sort((a, b) => byCode(a.name, b.name) || byCode(a.email, b.email)),
    (o) => o.institution,
  );
  return rows
    .sort((a, b) => byCode(a.domain, b.domain))
    .map((row) => {
      const id = row.domain;
      return {
        id,
        name: row.name,
        domains: [
          id,
          ...(domainsOf.get(id) ?? [])
            .map((d) => d.domain)
            .filter((d) => d !== id)
            .sort(byCode),
        ],
        tiers: (tiersOf.get(id) ?? [])
          .filter((t) => (TIERS as readonly string[]).includes(t.tier))
          .sort((a, b) => TIERS.indexOf(a.tier as Tier) - TIERS.indexOf(b.tier as Tier))
          .map((t) => ({
            tier: t.tier as Tier,
            rule: t.rule === 'individual' ? ('individual' as const) : ('domains' as const),
            listedOn: t.listed_on,
            agreementId: t.agreement_id,
            addresses: (addressesOf.get(`${id}\n${t.tier}`) ?? []).map((a) => ({
              email: a.email,
              listedOn: a.listed_on,
              agreementId: a.agreement_id,
            })),
          })),
        officials: (officialsOf.get(id) ?? []).map((o) => ({ name: o.name, email: o.email, title: o.title })),
        contractingContact: row.contracting_contact,
        reportContact: row.report_contact,
      };
    });
}
