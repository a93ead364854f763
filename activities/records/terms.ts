/**
 * An agreement's term in the records (issue 18, migration 005_agreement_terms): what its term workflow
 * writes (a warning sent, the renewal, the lapse) and what an executed agreement's listing does to the
 * tiers it lists (in force again, under its term). Every write is idempotent: activities are retried.
 */
import { sql, type Kysely } from 'kysely';
import type { AgreementSnapshot, Tier } from '../../common/agreement';
import type { RegistryUpdate, TermRecord } from '../interfaces';
import { agreementRow } from './agreement-row';
import { institutionIdFor } from './registry';
import type { Database } from './schema';

/**
 * The term's events take seqs from 5e8 (below the registrations' 1e9, activities/records/registrations.ts):
 * never one the agreement's own writes (from 0) or a registration's could take.
 */
export const TERM_SEQ_BASE = 500_000_000;

/**
 * Appends `input.event` to the agreement's events (after the last; written once for the same event and
 * instant), applies `input.changes` to its snapshot, and for a lapse marks lapsed the tiers (domains
 * rule) or the address (an individual agreement) whose term this agreement holds. A lapse never touches
 * a tier another agreement's term holds (a renewal executed meanwhile, or an import). An agreement with
 * no snapshot in the records gets the event only.
 */
export async function recordTerm(db: Kysely<Database>, input: TermRecord): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const seen = await trx
      .selectFrom('agreement_events')
      .select('seq')
      .where('agreement_ref', '=', input.agreementRef)
      .where('event', '=', input.event.event)
      .where('at', '=', input.event.at)
      .executeTakeFirst();
    if (seen) return;
    const last = await trx
      .selectFrom('agreement_events')
      .select(sql<number>`coalesce(max(seq), ${TERM_SEQ_BASE - 1})`.as('seq'))
      .where('agreement_ref', '=', input.agreementRef)
      .where('seq', '>=', TERM_SEQ_BASE)
      .where('seq', '<', TERM_SEQ_BASE * 2)
      .executeTakeFirst();
    const seq = Number(last?.seq ?? TERM_SEQ_BASE - 1) + 1;
    await trx
      .insertInto('agreement_events')
      .values({
        agreement_ref: input.agreementRef,
        seq,
        at: input.event.at,
        event: input.event.event,
        detail: input.event.detail ?? null,
      })
      .execute();
    const row = await trx
      .selectFrom('agreements')
      .select('status_json')
      .where('agreement_ref', '=', input.agreementRef)
      .executeTakeFirst();
    if (row) {
      const status = { ...(JSON.parse(row.status_json) as AgreementSnapshot), ...input.changes };
      const { agreement_ref: _key, ...update } = agreementRow(input.agreementRef, status, seq + 1);
      await trx
        .updateTable('agreements')
        .set(update)
        .where('agreement_ref', '=', input.agreementRef)
        .execute();
    }
    if (!input.lapse) return;
    const { lapse } = input;
    const id = await institutionIdFor(trx, lapse.institution.domain);
    if (!id) return;
    const mark = { lapsed_on: lapse.lapsedOn, lapsed_by: lapse.agreementId };
    await setListing(trx, id, lapse, mark, lapse.agreementId);
  });
}

/**
 * After an executed agreement listed its tiers (store.updateRegistry): they are in force again (a lapse
 * before is cleared; the row keeps its first date and agreement) and held by this agreement's term when
 * it has an end date (`term_agreement_id`), else by none (an agreement without one never lapses).
 */
export async function holdTerm(db: Kysely<Database>, update: RegistryUpdate): Promise<void> {
  const id = await institutionIdFor(db, update.institution.domain);
  if (!id || update.tiers.length === 0) return;
  const hold = {
    lapsed_on: null,
    lapsed_by: null,
    term_agreement_id: update.expiresOn ? update.agreementId : null,
  };
  await setListing(db, id, update, hold);
}

/**
 * Sets `values` on the registry rows an agreement listed: its address's (an individual agreement) or
 * the institution's tiers. `heldBy`: only rows still in force under that agreement's term.
 */
async function setListing(
  db: Kysely<Database>,
  id: string,
  listed: { individual?: string; tiers: Tier[] },
  values: { lapsed_on: string | null; lapsed_by: string | null; term_agreement_id?: string | null },
  heldBy?: string,
): Promise<void> {
  if (listed.individual)
    await db
      .updateTable('institution_addresses')
      .set(values)
      .where('institution', '=', id)
      .where('email', '=', listed.individual.trim().toLowerCase())
      .where('tier', 'in', listed.tiers)
      .$if(heldBy !== undefined, (q) =>
        q.where('term_agreement_id', '=', heldBy!).where('lapsed_on', 'is', null),
      )
      .execute();
  else
    await db
      .updateTable('institution_tiers')
      .set(values)
      .where('domain', '=', id)
      .where('tier', 'in', listed.tiers)
      .$if(heldBy !== undefined, (q) =>
        q.where('term_agreement_id', '=', heldBy!).where('lapsed_on', 'is', null),
      )
      .execute();
}
