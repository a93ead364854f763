/**
 * The weekly digest, started by the `dura-digest` schedule (client/schedule.ts) every Monday 09:00 New
 * York time, or at once by `dura schedule trigger`: one activity reads the open agreements and mails them
 * to the access team; a second sends the institutions' monthly registration reports, once a month.
 */
import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import {
  BAD_DATA,
  type DigestActivities,
  type DigestReceipt,
  type RegistrationReportsReceipt,
} from '../activities/interfaces';

/**
 * Retried with backoff while the database or the mail server is down, for up to a day; after that the
 * run fails (visible in `dura schedule show`) and next Monday's digest, which lists everything, follows.
 */
const digest = proxyActivities<DigestActivities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '1 day',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 minutes',
    nonRetryableErrorTypes: [BAD_DATA],
  },
});

export async function digestWorkflow(): Promise<
  DigestReceipt & { registrationReports?: RegistrationReportsReceipt }
> {
  // Each schedule action (and each trigger) starts its own run: one key per run, so every retry of the
  // activity sends the same one digest at most once.
  const { workflowId, runId } = workflowInfo();
  const receipt = await digest.sendDigest({ idempotencyKey: `digest/${workflowId}/${runId}` });
  // Issue 18: the institutions' monthly registration reports, keyed by month (activities/
  // registration-reports.ts), so only the month's first run sends them. Runs begun before keep theirs.
  if (!patched('registration-reports')) return receipt;
  return { ...receipt, registrationReports: await digest.sendRegistrationReports({}) };
}
