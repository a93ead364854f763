/**
 * The open agreements as the records last saw them: the snapshots the workflows write, so the digest
 * needs neither a worker's answer nor Temporal's visibility.
 */
import { sql, type Kysely } from 'kysely';
import {
  isOpenStage,
  normalizeDomain,
  officialsOf,
  OPEN_STAGES,
  sameEmail,
  sequenceOf,
  type AgreementStatus,
  type HistoryEntry,
  type Stage,
  type Tier,
} from '../../common/agreement';
import type { AgreementInProcess } from '../../common/coverage';
import { escapeLike } from './institutions';
import type { Database } from './schema';

/**
 * Each open agreement once. An id's latest run decides (as `RecordsStore.agreementStatus` picks): an old
 * run left open is not listed once a newer run of the same institution has ended.
 */
export async function openAgreements(db: Kysely<Database>): Promise<AgreementStatus[]> {
  return withHistories(db, await openRows(db));
}

/** The latest run of each agreement in process, as its row (snapshot without history). */
async function openRows(db: Kysely<Database>) {
  const rows = await db
    .selectFrom('agreements')
    .select(['agreement_ref', 'agreement_id', 'stage', 'status_json'])
    .where(
      'agreement_id',
      'in',
      db
        .selectFrom('agreements')
        .select('agreement_id')
        .where('stage', 'in', [...OPEN_STAGES]),
    )
    .orderBy('received_at', 'desc')
    .orderBy('updated_at', 'desc')
    .execute();
  return latestRuns(rows).filter((row) => isOpenStage(row.stage));
}

/** Each agreement in process by its institution's name and domain and its officials' addresses. */
export async function agreementsInProcess(
  db: Kysely<Database>,
): Promise<Array<{ agreementId: string; name: string; domain: string; officials: string[] }>> {
  return (await openRows(db)).map((row) => {
    const s = JSON.parse(row.status_json) as AgreementStatus;
    return {
      agreementId: row.agreement_id,
      name: s.institution.name,
      domain: s.institution.domain,
      officials: officialsOf(s).map((o) => o.email),
    };
  });
}

/** Of rows ordered newest first, each agreement id's first: its latest run, which decides. */
function latestRuns<T extends { agreement_id: string }>(rows: T[]): T[] {
  const latest = new Map<string, T>();
  for (const row of rows) if (!latest.has(row.agreement_id)) latest.set(row.agreement_id, row);
  return [...latest.values()];
}

/**
 * The agreement of `key` in process (an institution's id or domain, or an address for an individual
 * agreement: ids `<key>-<n>`, or `dura-<key>` from before agreement ids), or null; `requester`: whether
 * `email` is one of its requesters. As openAgreements, an id's latest run decides.
 */
export async function agreementInProcess(
  db: Kysely<Database>,
  key: string,
  email: string,
): Promise<Omit<AgreementInProcess, 'laterTiers'> | null> {
  const legacy = `dura-${key}`;
  const rows = await db
    .selectFrom('agreements')
    .select(['agreement_id', 'stage', 'received_at', 'status_json'])
    .where((eb) => eb.or([eb('agreement_id', 'like', `${key}-%`), eb('agreement_id', '=', legacy)]))
    .orderBy('received_at', 'desc')
    .orderBy('updated_at', 'desc')
    .execute();
  // LIKE's `_` matches any character: only `<key>-<n>` itself is the key's.
  const keys = rows.filter((r) => r.agreement_id === legacy || sequenceOf(r.agreement_id, key) !== null);
  const open = latestRuns(keys).find((r) => isOpenStage(r.stage));
  if (!open) return null;
  const { requesters, tiers } = JSON.parse(open.status_json) as Pick<AgreementStatus, 'requesters' | 'tiers'>;
  return {
    agreementId: open.agreement_id,
    stage: open.stage as Stage,
    receivedAt: open.received_at,
    requester: requesters.some((r) => sameEmail(r.email, email)),
    tiers,
  };
}

/**
 * The ids of the agreements `email` asked for (one of its requesters, any case), those in process first,
 * then the latest first: how an address at another domain than its agreement's (a requester's gmail.com,
 * accepted with a warning) finds it. Empty when none.
 */
export async function agreementsOfRequester(db: Kysely<Database>, email: string): Promise<string[]> {
  return (await requesterAgreements(db, email)).map((a) => a.agreementId);
}

/** agreementsOfRequester, each with whether it is in process, its stage, its institution's domain and tiers. */
export async function requesterAgreements(
  db: Kysely<Database>,
  email: string,
): Promise<Array<{ agreementId: string; open: boolean; stage: Stage; domain: string; tiers: Tier[] }>> {
  const address = email.trim().toLowerCase();
  const asked = (await latestRunsNaming(db, address))
    .map((r) => ({ ...r, status: JSON.parse(r.status_json) as AgreementStatus }))
    .filter((r) => r.status.requesters?.some((q) => sameEmail(q.email, address)));
  const open = asked.filter((r) => isOpenStage(r.stage));
  return [...open, ...asked.filter((r) => !isOpenStage(r.stage))].map((r) => ({
    agreementId: r.agreement_id,
    open: open.includes(r),
    stage: r.status.stage,
    domain: r.status.institution.domain,
    tiers: r.status.tiers,
  }));
}

/**
 * The agreements awaiting signature that `email` is a signing official of (the package reached them),
 * latest run deciding; for the closed notice, which names them (a trial's official got a typo twin's
 * closed notice beside the real agreement's package, and could not tell them apart).
 */
export async function awaitingSignatureFrom(db: Kysely<Database>, email: string): Promise<string[]> {
  const address = email.trim().toLowerCase();
  return (await latestRunsNaming(db, address))
    .filter((r) => r.stage === 'awaiting-signature')
    .filter((r) =>
      officialsOf(JSON.parse(r.status_json) as AgreementStatus).some((o) => sameEmail(o.email, address)),
    )
    .map((r) => r.agreement_id);
}

/**
 * The latest run of each agreement whose snapshot names `address` (lower case) anywhere: its JSON holds
 * each person as {"name":…,"email":"…"}, so a LIKE narrows; the caller's parse decides.
 */
async function latestRunsNaming(db: Kysely<Database>, address: string) {
  const pattern = `%${escapeLike(JSON.stringify(address))}%`;
  const rows = await db
    .selectFrom('agreements')
    .select(['agreement_id', 'stage', 'status_json'])
    .where(sql<boolean>`lower(status_json) like ${pattern} escape '\\'`)
    .orderBy('received_at', 'desc')
    .orderBy('updated_at', 'desc')
    .execute();
  return latestRuns(rows);
}

/**
 * The agreement that renews `agreement` (its snapshot's `renews`), by each agreement's latest run, unless
 * cancelled or declined: a renewal in process, or one executed (which also marks an agreement with no
 * term renewed: nothing else does). Null: none. For `dura renew` (one renewal at a time) and `dura status`.
 */
export async function renewalOf(
  db: Kysely<Database>,
  agreement: { agreementId: string; institution: { domain: string } },
): Promise<AgreementStatus | null> {
  const rows = await db
    .selectFrom('agreements')
    .select(['agreement_id', 'status_json'])
    .where('domain', '=', normalizeDomain(agreement.institution.domain))
    .orderBy('received_at', 'desc')
    .orderBy('updated_at', 'desc')
    .execute();
  for (const row of latestRuns(rows)) {
    const other = JSON.parse(row.status_json) as AgreementStatus;
    if (other.renews === agreement.agreementId && !['cancelled', 'declined'].includes(other.stage))
      return other;
  }
  return null;
}

/** The snapshots with their histories, read back from the audit trail (one query for all). */
export async function withHistories(
  db: Kysely<Database>,
  rows: { agreement_ref: string; status_json: string }[],
): Promise<AgreementStatus[]> {
  const histories = new Map<string, HistoryEntry[]>(rows.map((r) => [r.agreement_ref, []]));
  if (rows.length) {
    const events = await db
      .selectFrom('agreement_events')
      .select(['agreement_ref', 'at', 'event', 'detail'])
      .where('agreement_ref', 'in', [...histories.keys()])
      .orderBy('agreement_ref')
      .orderBy('seq')
      .execute();
    for (const e of events)
      histories
        .get(e.agreement_ref)!
        .push(
          e.detail === null ? { at: e.at, event: e.event } : { at: e.at, event: e.event, detail: e.detail },
        );
    // Registrations' and terms' events (numbered from their own bases) take their place in time; the
    // sort is stable, so events of one moment keep their order.
    for (const history of histories.values()) history.sort((a, b) => a.at.localeCompare(b.at));
  }
  return rows.map((r) => ({
    ...(JSON.parse(r.status_json) as AgreementStatus),
    history: histories.get(r.agreement_ref)!,
  }));
}
