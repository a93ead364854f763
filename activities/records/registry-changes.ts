/**
 * Changes of the registry (registry.ts reads it): an institution's domains, its tiers' membership
 * rules and listed addresses, its signing officials and contracting contact. The institution is named
 * by any of its domains. Every change is idempotent and says whether it changed anything; a refused one
 * throws RegistryError, whose message starts with the value as given (what the person typed).
 */
import { unlistableDomain } from '../../common/unlistable-domain';
import type { Kysely } from 'kysely';
import { TIERS, type Tier } from '../../common/agreement';
import { asciiDomain, asciiEmail } from '../../common/idn';
import { MEMBERSHIP_RULES, parseEmail } from '../../common/coverage';
import { newYorkDate } from '../../common/when';
import { DOMAIN } from './registry-csv';
import { institutionIdFor, RegistryError, type RegistryChange } from './registry';
import type { Database } from './schema';

/** Adds a domain to the institution; refuses one that belongs to another institution. */
export async function addDomain(
  db: Kysely<Database>,
  institution: string,
  domain: string,
): Promise<RegistryChange> {
  const wanted = validDomain(domain);
  return db.transaction().execute(async (trx) => {
    const id = await resolve(trx, institution);
    const inserted = await trx
      .insertInto('institution_domains')
      .values({ domain: wanted, institution: id })
      .onConflict((oc) => oc.column('domain').doNothing())
      .executeTakeFirst();
    const owner = await institutionIdFor(trx, wanted);
    if (owner !== id)
      throw new RegistryError(
        `${domain.trim()}: already a domain of ${owner}; a domain belongs to one institution only`,
      );
    return { institution: id, changed: Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0 };
  });
}

/** Removes a domain from the institution; refuses its primary domain (its id) and another's domain. */
export async function removeDomain(
  db: Kysely<Database>,
  institution: string,
  domain: string,
): Promise<RegistryChange> {
  const wanted = asciiDomain(domain);
  return db.transaction().execute(async (trx) => {
    const id = await resolve(trx, institution);
    if (wanted === id)
      throw new RegistryError(`${domain.trim()}: the primary domain (the id) of ${id} cannot be removed`);
    const owner = await institutionIdFor(trx, wanted);
    if (owner !== null && owner !== id)
      throw new RegistryError(`${domain.trim()}: a domain of ${owner}, not of ${id}`);
    const removed = await trx
      .deleteFrom('institution_domains')
      .where('domain', '=', wanted)
      .executeTakeFirst();
    return { institution: id, changed: Number(removed.numDeletedRows) > 0 };
  });
}

/**
 * Sets the membership rule of a tier. A tier not yet listed can be made `individual` (the institution
 * then requires individual agreements for it: it covers no one until addresses are listed); the rule
 * `domains` lists no tier (an executed agreement or `institutions import` does).
 */
export async function setTierRule(
  db: Kysely<Database>,
  institution: string,
  tier: string,
  rule: string,
  listedOn = today(),
): Promise<RegistryChange> {
  const t = validTier(tier);
  if (!(MEMBERSHIP_RULES as readonly string[]).includes(rule))
    throw new RegistryError(`${rule}: not a membership rule (expected ${MEMBERSHIP_RULES.join(' or ')})`);
  return db.transaction().execute(async (trx) => {
    const id = await resolve(trx, institution);
    const listed = await trx
      .selectFrom('institution_tiers')
      .select('rule')
      .where('domain', '=', id)
      .where('tier', '=', t)
      .executeTakeFirst();
    if (!listed && rule === 'domains')
      throw new RegistryError(
        `${id} is not listed for the ${t} tier: an executed agreement or \`institutions import\` lists it`,
      );
    if (listed?.rule === rule) return { institution: id, changed: false };
    if (listed)
      await trx
        .updateTable('institution_tiers')
        .set({ rule })
        .where('domain', '=', id)
        .where('tier', '=', t)
        .execute();
    else
      await trx
        .insertInto('institution_tiers')
        .values({ domain: id, tier: t, rule, listed_on: listedOn, agreement_id: null })
        .execute();
    return { institution: id, changed: true };
  });
}

/** Lists an address for a tier (an individual agreement); the address must be at one of its domains. */
export async function addAddress(
  db: Kysely<Database>,
  institution: string,
  tier: string,
  email: string,
  listing: { listedOn?: string; agreementId?: string | null } = {},
): Promise<RegistryChange> {
  const t = validTier(tier);
  const address = validEmail(email);
  return db.transaction().execute(async (trx) => {
    const id = await resolve(trx, institution);
    if ((await institutionIdFor(trx, address.domain)) !== id)
      throw new RegistryError(
        `${email.trim()}: ${address.domain} is not a domain of ${id} (add it first with add-domain)`,
      );
    const listed = await trx
      .selectFrom('institution_tiers')
      .select('rule')
      .where('domain', '=', id)
      .where('tier', '=', t)
      .executeTakeFirst();
    if (!listed)
      throw new RegistryError(
        `${id} is not listed for the ${t} tier: set its rule to individual first (set-rule)`,
      );
    // Under the domains rule an address listed would show nowhere and cover no one more.
    if (listed.rule !== 'individual')
      throw new RegistryError(
        `${id}'s ${t} tier covers every address at its domains (rule ${listed.rule}): set its rule to individual first (set-rule)`,
      );
    if (listing.agreementId) await agreementFits(trx, listing.agreementId, id, t, address.email);
    const inserted = await trx
      .insertInto('institution_addresses')
      .values({
        institution: id,
        tier: t,
        email: address.email,
        listed_on: listing.listedOn ?? today(),
        agreement_id: listing.agreementId ?? null,
      })
      .onConflict((oc) => oc.columns(['institution', 'tier', 'email']).doNothing())
      .executeTakeFirst();
    return { institution: id, changed: Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0 };
  });
}

export async function removeAddress(
  db: Kysely<Database>,
  institution: string,
  tier: string,
  email: string,
): Promise<RegistryChange> {
  const t = validTier(tier);
  const id = await resolve(db, institution);
  const removed = await db
    .deleteFrom('institution_addresses')
    .where('institution', '=', id)
    .where('tier', '=', t)
    .where('email', '=', asciiEmail(email))
    .executeTakeFirst();
  return { institution: id, changed: Number(removed.numDeletedRows) > 0 };
}

/** Adds a signing official, or updates the name and title of the one with that address. */
export async function addOfficial(
  db: Kysely<Database>,
  institution: string,
  official: { name: string; email: string; title?: string | null },
): Promise<RegistryChange> {
  const name = validText(official.name, 'name', false)!;
  const title = validText(official.title ?? '', 'title', true);
  const { email } = validEmail(official.email);
  const id = await resolve(db, institution);
  const before = await db
    .selectFrom('institution_officials')
    .selectAll()
    .where('institution', '=', id)
    .where('email', '=', email)
    .executeTakeFirst();
  if (before?.name === name && before.title === title) return { institution: id, changed: false };
  await db
    .insertInto('institution_officials')
    .values({ institution: id, email, name, title })
    .onConflict((oc) => oc.columns(['institution', 'email']).doUpdateSet({ name, title }))
    .execute();
  return { institution: id, changed: true };
}

export async function removeOfficial(
  db: Kysely<Database>,
  institution: string,
  email: string,
): Promise<RegistryChange> {
  const id = await resolve(db, institution);
  const removed = await db
    .deleteFrom('institution_officials')
    .where('institution', '=', id)
    .where('email', '=', asciiEmail(email))
    .executeTakeFirst();
  return { institution: id, changed: Number(removed.numDeletedRows) > 0 };
}

/** The registry's contact roles beside the signing officials, and the column each is kept in. */
export const CONTACT_COLUMNS = {
  contracting: 'contracting_contact',
  report: 'report_contact',
} as const;
export type ContactRole = keyof typeof CONTACT_COLUMNS;

/**
 * Sets (an e-mail address) or clears (null) one of the institution's contacts: its contracting contact,
 * or its report contact (who gets the monthly registration report, issue 18). Throws RegistryError for an
 * institution not on the list or an address that is not one.
 */
export async function setContact(
  db: Kysely<Database>,
  institution: string,
  role: ContactRole,
  email: string | null,
): Promise<RegistryChange> {
  const column = CONTACT_COLUMNS[role];
  const contact = email === null ? null : validEmail(email).email;
  const id = await resolve(db, institution);
  const updated = await db
    .updateTable('institutions')
    .set({ [column]: contact })
    .where('domain', '=', id)
    .where((eb) =>
      contact === null
        ? eb(column, 'is not', null)
        : eb.or([eb(column, 'is', null), eb(column, '!=', contact)]),
    )
    .executeTakeFirst();
  return { institution: id, changed: Number(updated.numUpdatedRows) > 0 };
}

/**
 * Refuses an agreement recorded for another institution or without `tier` as the one that lists an
 * address (a trial listed uw.edu's address by another institution's agreement). An id not in the records
 * passes: the CLI refuses it by its flag, and the registry file may name agreements from before dura.
 */
async function agreementFits(
  db: Kysely<Database>,
  agreementId: string,
  id: string,
  tier: string,
  email: string,
): Promise<void> {
  const agreement = await db
    .selectFrom('agreements')
    .select(['domain', 'tiers', 'stage', 'executed_at'])
    .where('agreement_id', '=', agreementId)
    .orderBy('received_at', 'desc')
    .executeTakeFirst();
  if (!agreement) return;
  if ((await institutionIdFor(db, agreement.domain)) !== id)
    throw new RegistryError(`${agreementId} is ${agreement.domain}'s agreement, not one of ${id}'s`);
  // An individual agreement lists its own requester's address; any agreement lists once it is signed.
  const own = /^(.+@.+)-\d+$/.exec(agreementId)?.[1];
  if (own && own !== email)
    throw new RegistryError(`${agreementId} is ${own}'s individual agreement, not ${email}'s`);
  if (!agreement.executed_at)
    throw new RegistryError(
      `${agreementId} is ${agreement.stage}: an address is listed by an executed agreement`,
    );
  if (!agreement.tiers.split(',').includes(tier))
    throw new RegistryError(
      `${agreementId} is for the ${agreement.tiers.replace(/,/g, ' and ')} tier, not ${tier}`,
    );
}

async function resolve(db: Kysely<Database>, institution: string): Promise<string> {
  const id = await institutionIdFor(db, institution);
  if (!id)
    throw new RegistryError(
      `${institution.trim()}: no institution with this domain on the Registered Institutions list`,
    );
  return id;
}

function validDomain(domain: string): string {
  const wanted = asciiDomain(domain);
  if (!DOMAIN.test(wanted))
    throw new RegistryError(`${domain.trim()}: not an e-mail domain (expected one such as uw.edu)`);
  const unlistable = unlistableDomain(wanted);
  if (unlistable) throw new RegistryError(unlistable);
  return wanted;
}

function validTier(tier: string): Tier {
  const t = tier.trim().toLowerCase();
  if (!(TIERS as readonly string[]).includes(t))
    throw new RegistryError(`${tier}: not a tier (expected ${TIERS.join(' or ')})`);
  return t as Tier;
}

function validEmail(email: string): { email: string; domain: string } {
  const parsed = parseEmail(email);
  if (!parsed) throw new RegistryError(`${email.trim()}: not an e-mail address`);
  return parsed;
}

function validText(value: string, field: string, optional: boolean): string | null {
  const text = value.trim();
  if (!text && optional) return null;
  if (!text) throw new RegistryError(`${field}: is empty`);
  if (/[\r\n]/.test(text)) throw new RegistryError(`${field}: must be on one line`);
  if (text.length > 200) throw new RegistryError(`${field}: is longer than 200 characters`);
  return text;
}

/** Today's New York date, YYYY-MM-DD: the date a change lists something, as `institutions import` does. */
function today(): string {
  return newYorkDate();
}
