/**
 * `dura status`'s registrations (issue 18): once an agreement's registration instructions went out, each
 * requester's registration steps, from the records (activities/records/registrations.ts, which the
 * registration workflows keep current). Shared by the full path and the lean one (status-fast.ts): both
 * load this module only for an agreement past its instructions, and it loads only kysely and the
 * database driver in use (not the records store, which loads the Temporal SDK; not zod).
 */
import path from 'node:path';
import { openDatabase } from '../activities/records/db';
import { listRegistrations } from '../activities/records/registrations';
import type { AgreementStatus } from '../common/agreement';
import { projectRoot } from '../common/project-root';
import type { RenewalSeen } from './format';
import type { StatusWithRegistrations } from './registration-views';

/**
 * The records' database as common/config.ts's loadConfig names it: DATABASE_URL, else
 * `sqlite:<DURA_DATA_DIR>/dura.sqlite` (DURA_DATA_DIR by default the project's data/).
 */
export function databaseUrlOf(env: NodeJS.ProcessEnv): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  return `sqlite:${env.DURA_DATA_DIR || path.join(projectRoot(), 'data')}/dura.sqlite`;
}

/**
 * `status` with its agreement's registrations (`registrations`, oldest instructions first); `status`
 * itself before the instructions. Records that cannot be read leave them out, with one line on stderr:
 * status still answers.
 */
export async function withRegistrations(
  status: AgreementStatus,
  databaseUrl: string,
): Promise<StatusWithRegistrations> {
  if (!status.instructionsSentAt) return status;
  let db: ReturnType<typeof openDatabase> | undefined;
  try {
    // Never made here: a data directory other than the engine's must not leave an empty database.
    db = openDatabase(databaseUrl, { mustExist: true });
    const rows = await listRegistrations(db, { agreementId: status.agreementId });
    const registrations = rows.reverse().map(({ agreementRef: _ref, updatedAt: _updated, ...row }) => row);
    const renewal = await renewalOf(db, status);
    return { ...status, registrations, ...(renewal ? { renewal } : {}) };
  } catch (err) {
    process.stderr.write(
      `dura: the records did not answer, so registrations are not shown: ${(err as Error).message.split('\n')[0]}\n`,
    );
    return status;
  } finally {
    await db?.destroy();
  }
}

/**
 * The agreement that renews `status`'s (its `renews`), newest first, unless cancelled or declined: a
 * renewal in process, or one executed where no term marks the old agreement renewed (no end date).
 */
async function renewalOf(
  db: ReturnType<typeof openDatabase>,
  status: AgreementStatus,
): Promise<RenewalSeen | undefined> {
  const rows = await db
    .selectFrom('agreements')
    .select(['status_json'])
    .where('domain', '=', status.institution.domain)
    .orderBy('received_at', 'desc')
    .execute();
  for (const { status_json } of rows) {
    const other = JSON.parse(status_json) as AgreementStatus;
    if (other.renews === status.agreementId && !['cancelled', 'declined'].includes(other.stage))
      return { agreementId: other.agreementId, stage: other.stage };
  }
  return undefined;
}
