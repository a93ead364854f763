/** The workflow's activity stubs, each with timeouts and a retry policy. */
import { patched, proxyActivities, proxyLocalActivities, type RetryPolicy } from '@temporalio/workflow';
import { BAD_DATA, type AgreementActivities, type CalendarActivities } from '../activities/interfaces';

/**
 * I/O retries with backoff for as long as it takes (SMTP or the database down for hours must not lose
 * a message); bad data fails at once. Deadline watchdogs in the workflow escalate meanwhile.
 */
const retry: RetryPolicy = {
  initialInterval: '5 seconds',
  backoffCoefficient: 2,
  maximumInterval: '30 minutes',
  nonRetryableErrorTypes: [BAD_DATA],
};

export const io = proxyActivities<AgreementActivities>({ startToCloseTimeout: '1 minute', retry });

/**
 * The records database's short reads and writes (milliseconds) as local activities: each saves the
 * server an activity task and a workflow task, about a third of what an agreement costs it up to the
 * signature wait. Same retries (a local activity retries across workflow tasks with timers).
 */
const localRecords = proxyLocalActivities<Pick<AgreementActivities, 'lookupInstitution' | 'recordEvents'>>({
  startToCloseTimeout: '30 seconds',
  retry,
});

/** Agreements started before the change keep their activities on replay. */
export function records(): Pick<AgreementActivities, 'lookupInstitution' | 'recordEvents'> {
  return patched('records-as-local-activities') ? localRecords : io;
}

/** Pure computations: local activities, so their results are recorded in history cheaply. */
export const calendar = proxyLocalActivities<CalendarActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: [BAD_DATA] },
});
