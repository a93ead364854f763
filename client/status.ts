/**
 * `dura status`'s answer as a value, on the full path: from the workflow; from the records when no
 * worker answers in time (agreement-handle.ts); and from the records when Temporal itself cannot be
 * reached, which the lean path (status-fast.ts) does the same way through statusWhenTemporalDown().
 * Only `status` answers so: every other command still exits 2 when Temporal is down.
 */
import type { AgreementStatus } from '../common/agreement';
import type { Config } from '../common/config';
import type { StatusAnswer } from './agreement-handle';
import { UnreachableError } from './output';

/**
 * How long the CLI waits for a worker to answer a query before answering from the records; the same
 * as agreement-handle.ts's QUERY_WAIT_MS (the full path's), kept here too because the lean path must
 * not load that module (it loads the Temporal SDK). test/cli-status-fast.test.ts holds them equal.
 */
export const QUERY_WAIT_MS = 4000;

export async function agreementStatus(idOrDomain: string): Promise<StatusAnswer> {
  const { loadConfig } = await import('../common/config');
  const config = loadConfig();
  const { connect } = await import('./temporal');
  let client;
  try {
    client = await connect(config);
  } catch (err) {
    if (!(err instanceof UnreachableError)) throw err;
    return statusWhenTemporalDown(config, idOrDomain, err);
  }
  const { fetchStatus } = await import('./agreement-handle');
  return fetchStatus(client, config, idOrDomain).catch(async (err: Error) => {
    // Encrypted for a CLI without the key: the records' snapshot is in the clear, and said so (a trial
    // read exit 2 as "cannot be reached"). Only status: a control must not write what the engine encrypts.
    if (!/Unknown encoding: binary\/encrypted/.test(err?.message ?? '')) throw err;
    const status = await recordedStatus(config, idOrDomain).catch(() => null);
    if (!status) throw err;
    return { status, source: 'records', keyless: true } satisfies StatusAnswer;
  });
}

/**
 * Temporal cannot be reached (`down`): the last status snapshot the workflow wrote to the records.
 * An agreement the records do not hold is still `down` (exit 2), not "no agreement": without Temporal,
 * dura cannot tell an unknown agreement from one whose first snapshot is not written yet.
 */
/** The last snapshot the workflow wrote to the records (with its history), or null. */
export async function recordedStatus(
  config: Pick<Config, 'DATABASE_URL'>,
  typed: string,
): Promise<AgreementStatus | null> {
  const { withRecords } = await import('./records');
  return withRecords(config.DATABASE_URL, (store) => store.agreementStatus(typed));
}

/**
 * The agreement's whole history: after its workflow closed, its requesters' registrations and its term
 * kept writing to its history in the records (issue 18), so the records' is then the longer one. The
 * workflow's own when there is nothing more, or the records cannot be read.
 */
export async function wholeHistory(
  config: Pick<Config, 'DATABASE_URL'>,
  status: AgreementStatus,
): Promise<AgreementStatus['history']> {
  if (!status.instructionsSentAt && !status.expiresOn) return status.history;
  const recorded = await recordedStatus(config, status.agreementId).catch(() => null);
  return recorded && recorded.history.length > status.history.length ? recorded.history : status.history;
}

export async function statusWhenTemporalDown(
  config: Pick<Config, 'DATABASE_URL'>,
  typed: string,
  down: UnreachableError,
): Promise<StatusAnswer> {
  let status;
  try {
    status = await recordedStatus(config, typed);
  } catch (err) {
    const { describeDatabase } = await import('../activities/records/db');
    const firstLine = (e: unknown) => (e as Error).message.split('\n')[0];
    // withRecords names the database when it cannot open it; a later failure is worded here.
    const records =
      err instanceof UnreachableError
        ? firstLine(err)
        : `the records database ${describeDatabase(config.DATABASE_URL)}: ${firstLine(err)}`;
    throw new UnreachableError(`${firstLine(down)}; nor ${records}`);
  }
  if (!status) throw down;
  return { status, source: 'records', unreachable: down.message.split('\n')[0] };
}

/**
 * The one line on stderr when the answer came from the records (design.md, "Contracts"): the same
 * words whether no worker answered or Temporal itself is down, then, for the latter, which address
 * failed, so a wrong TEMPORAL_ADDRESS shows. Null when a worker (or a closed agreement's record) answered.
 */
export function recordsNotice({ source, unreachable, keyless }: StatusAnswer): string | null {
  if (source !== 'records') return null;
  if (keyless)
    return (
      "dura: the engine's answer is encrypted and this dura has no key (set DURA_ENCRYPTION_KEY and " +
      'DURA_ENCRYPTION_KEY_ID as the engine has them); this is the last status in the records\n'
    );
  const why = unreachable ? ` (cannot reach ${unreachable})` : '';
  return `dura: no worker answered; this is the last status in the records${why}\n`;
}
