/**
 * The whole Registered Institutions list in and out (`dura institutions export` and `import`; the file's
 * forms are common/registry-file.ts).
 *
 * Import is an upsert in one transaction: an institution not on the list is added; one on it gets the
 * file's name, the domains, tiers, addresses and officials it does not have yet, the tier rules and
 * officials' names and titles as the file gives them, and the contracting and report contacts when the
 * file gives them. It never removes anything, and a tier or address already listed keeps its date and agreement
 * (its first listing), so importing a file twice changes nothing, and an export imported into an empty
 * database exports the same. A domain that belongs to another institution, or an address at a domain
 * that is not the institution's, is a problem of that institution's row. All or nothing: with any
 * problem nothing is written, unless skipInvalid (then the valid institutions are, the rest listed).
 */
import type { Kysely } from 'kysely';
import { problemAt } from '../../common/registry-file';
import type {
  FileInstitution,
  FileProblem,
  ImportEntry,
  ParsedRegistryFile,
} from '../../common/registry-file-schema';
import { readInstitutions, type InstitutionProfile } from './registry';
import type { Database } from './schema';
import { newYorkDate } from '../../common/when';

// Keeps every batched INSERT far below SQLite's (32766) and PostgreSQL's (65535) parameter limits.
const BATCH = 500;

/** Every institution on the list, in the order of their ids, as the export writes them. */
export async function exportRegistry(db: Kysely<Database>): Promise<FileInstitution[]> {
  return (await readInstitutions(db)).map((p) => ({
    id: p.id,
    name: p.name,
    domains: p.domains,
    tiers: p.tiers.map((t) => ({
      tier: t.tier,
      rule: t.rule,
      listedOn: t.listedOn,
      agreementId: t.agreementId,
      addresses: t.addresses.map((a) => ({
        email: a.email,
        listedOn: a.listedOn,
        agreementId: a.agreementId,
      })),
    })),
    officials: p.officials.map((o) => ({ name: o.name, email: o.email, title: o.title })),
    contractingContact: p.contractingContact,
    reportContact: p.reportContact,
  }));
}

export interface RegistryImport {
  /** Institutions written: added, changed or found as the file has them already. */
  imported: number;
  added: number;
  changed: number;
  unchanged: number;
  /** The file's problems and those found against the list; nothing written when any (but skipInvalid). */
  problems: FileProblem[];
}

/** Imports (upserts) the file's valid institutions, in one transaction; see above. */
export async function importRegistry(
  db: Kysely<Database>,
  file: ParsedRegistryFile,
  options: { skipInvalid?: boolean; listedOn?: string } = {},
): Promise<RegistryImport> {
  const listedOn = options.listedOn ?? newYorkDate(); // a New York date, as every date people read;
  return db.transaction().execute(async (trx) => {
    const before = new Map((await readInstitutions(trx)).map((p) => [p.id, p]));
    const owners = new Map([...before.values()].flatMap((p) => p.domains.map((d) => [d, p.id] as const)));
    const problems = [...file.problems];
    const valid = file.entries.filter((entry) => {
      const found = conflicts(entry, owners, before.get(entry.id));
      problems.push(...found);
      return found.length === 0;
    });
    const none = { imported: 0, added: 0, changed: 0, unchanged: 0 };
    if (file.fatal || (problems.length && !options.skipInvalid) || valid.length === 0)
      return { ...none, problems: ordered(problems) };

    await write(trx, valid, before, listedOn);

    const after = new Map((await readInstitutions(trx)).map((p) => [p.id, p]));
    const counts = { ...none, imported: valid.length };
    for (const { id } of valid) {
      if (!before.has(id)) counts.added++;
      else if (JSON.stringify(before.get(id)) !== JSON.stringify(after.get(id))) counts.changed++;
      else counts.unchanged++;
    }
    return { ...counts, problems: ordered(problems) };
  });
}

/** A domain of another institution; an address at a domain that is not the institution's. */
function conflicts(
  entry: ImportEntry,
  owners: Map<string, string>,
  listed: InstitutionProfile | undefined,
): FileProblem[] {
  const problems: FileProblem[] = [];
  for (const [domain, path] of entry.domainPaths) {
    const owner = owners.get(domain);
    if (owner !== undefined && owner !== entry.id)
      problems.push(
        problemAt(
          entry,
          path,
          `${domain}: already a domain of ${owner}; a domain belongs to one institution only`,
        ),
      );
  }
  const domains = new Set([...entry.domains, ...(listed?.domains ?? [])]);
  entry.tiers.forEach((t, k) =>
    t.addresses.forEach((a, m) => {
      const at = a.email.slice(a.email.lastIndexOf('@') + 1);
      // An address an executed individual agreement listed stays as it was, even outside the domains
      // (its requester's own address): an export must import back.
      if (!domains.has(at) && !a.agreementId)
        problems.push(
          problemAt(
            entry,
            ['tiers', k, 'addresses', m, 'email'],
            `${a.email}: ${at} is not a domain of ${entry.id}`,
          ),
        );
    }),
  );
  return problems;
}

/** The problems in file order: by line (CSV) or by index (JSON). */
function ordered(problems: FileProblem[]): FileProblem[] {
  const where = (p: FileProblem) => ('line' in p ? p.line : Number(/^\[(\d+)\]/.exec(p.path)?.[1] ?? -1));
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => where(a.p) - where(b.p) || a.i - b.i)
    .map(({ p }) => p);
}

async function write(
  trx: Kysely<Database>,
  entries: ImportEntry[],
  before: Map<string, InstitutionProfile>,
  listedOn: string,
): Promise<void> {
  const now = new Date().toISOString();
  const institutions = [];
  const domains = [];
  const tiers = [];
  const addresses = [];
  const officials = [];
  for (const e of entries) {
    const listed = before.get(e.id);
    if (!listed)
      institutions.push({
        domain: e.id,
        name: e.name,
        updated_at: now,
        contracting_contact: e.contractingContact ?? null,
        report_contact: e.reportContact ?? null,
      });
    else if (
      listed.name !== e.name ||
      (e.contractingContact !== undefined && listed.contractingContact !== e.contractingContact) ||
      (e.reportContact !== undefined && listed.reportContact !== e.reportContact)
    )
      await trx
        .updateTable('institutions')
        .set({
          name: e.name,
          updated_at: now,
          ...(e.contractingContact === undefined ? {} : { contracting_contact: e.contractingContact }),
          ...(e.reportContact === undefined ? {} : { report_contact: e.reportContact }),
        })
        .where('domain', '=', e.id)
        .execute();

    const has = new Set(listed?.domains ?? []);
    domains.push(...e.domains.filter((d) => !has.has(d)).map((d) => ({ domain: d, institution: e.id })));

    for (const t of e.tiers) {
      const tier = listed?.tiers.find((l) => l.tier === t.tier);
      if (!tier)
        tiers.push({
          domain: e.id,
          tier: t.tier,
          rule: t.rule ?? 'domains',
          listed_on: t.listedOn ?? listedOn,
          agreement_id: t.agreementId ?? null,
        });
      else if (t.rule !== undefined && t.rule !== tier.rule)
        await trx
          .updateTable('institution_tiers')
          .set({ rule: t.rule })
          .where('domain', '=', e.id)
          .where('tier', '=', t.tier)
          .execute();
      const emails = new Set(tier?.addresses.map((a) => a.email));
      addresses.push(
        ...t.addresses
          .filter((a) => !emails.has(a.email))
          .map((a) => ({
            institution: e.id,
            tier: t.tier,
            email: a.email,
            listed_on: a.listedOn ?? listedOn,
            agreement_id: a.agreementId ?? null,
          })),
      );
    }

    for (const o of e.officials) {
      const recorded = listed?.officials.find((r) => r.email === o.email);
      if (!recorded) officials.push({ institution: e.id, ...o });
      else if (recorded.name !== o.name || recorded.title !== o.title)
        await trx
          .updateTable('institution_officials')
          .set({ name: o.name, title: o.title })
          .where('institution', '=', e.id)
          .where('email', '=', o.email)
          .execute();
    }
  }
  // In the order the foreign keys need: institutions, then their domains and tiers, then addresses.
  for (let i = 0; i < institutions.length; i += BATCH)
    await trx
      .insertInto('institutions')
      .values(institutions.slice(i, i + BATCH))
      .execute();
  for (let i = 0; i < domains.length; i += BATCH)
    await trx
      .insertInto('institution_domains')
      .values(domains.slice(i, i + BATCH))
      .execute();
  for (let i = 0; i < tiers.length; i += BATCH)
    await trx
      .insertInto('institution_tiers')
      .values(tiers.slice(i, i + BATCH))
      .execute();
  for (let i = 0; i < addresses.length; i += BATCH)
    await trx
      .insertInto('institution_addresses')
      .values(addresses.slice(i, i + BATCH))
      .execute();
  for (let i = 0; i < officials.length; i += BATCH)
    await trx
      .insertInto('institution_officials')
      .values(officials.slice(i, i + BATCH))
      .execute();
}
