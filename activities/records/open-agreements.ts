/**
 * The open agreements as the records last saw them: the snapshots the workflows write, so the digest
 * needs neither a worker's answer nor Temporal's visibility.
 */
import type { Kysely } from 'kysely';
import { OPEN_STAGES, type AgreementStatus } from '../../common/agreement';
import type { Database } from './schema';

/**
 * Each open agreement once. An id's latest run decides (as `RecordsStore.agreementStatus` picks): an old
 * run left open is not listed once a newer run of the same institution has ended.
 */
export async function openAgreements(db: Kysely<Database>): Promise<AgreementStatus[]> {
  const open = [...OPEN_STAGES];
  const rows = await db
    .selectFrom('agreements')
    .select(['agreement_id', 'stage', 'status_json'])
    .where(
      'agreement_id',
      'in',
      db.selectFrom('agreements').select('agreement_id').where('stage', 'in', open),
    )
    .orderBy('received_at', 'desc')
    .orderBy('updated_at', 'desc')
    .execute();
  const latest = new Map<string, (typeof rows)[number]>();
  for (const row of rows) if (!latest.has(row.agreement_id)) latest.set(row.agreement_id, row);
  return [...latest.values()]
    .filter((row) => open.includes(row.stage as (typeof open)[number]))
    .map((row) => JSON.parse(row.status_json) as AgreementStatus);
}
