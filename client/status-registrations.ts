/**
 * `dura status`'s registrations (issue 18): once an agreement's registration instructions went out, each
 * requester's registration steps, from the records (activities/records/registrations.ts, which the
 * registration workflows keep current). Shared by the full path and the lean one (status-fast.ts): both
 * load this module only for an agreement past its instructions, and it loads only kysely and the
 * database driver in use (not the records store, which loads the Temporal SDK; not zod).
 */
import path from 'node:path';
import { openDatabase } from '../activities/records/db';
import { renewalOf } from '../activities/records/open-agreements';
import { listRegistrations } from '../activities/records/registrations';
import type { AgreementStatus } from '../common/agreement';
import { projectRoot } from '../common/project-root';
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
    return {
      ...status,
      registrations,
      ...(renewal ? { renewal: { agreementId: renewal.agreementId, stage: renewal.stage } } : {}),
    };
  } catch (err) {
    process.stderr.write(
      `dura: the records did not answer, so registrations are not shown: ${(err as Error).message.split('\n')[0]}\n`,
    );
    return status;
  } finally {
    await db?.destroy();
  }
}
