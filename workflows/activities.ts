/** The workflow's activity stubs, each with timeouts and a retry policy. */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { BAD_DATA, type AgreementActivities, type CalendarActivities } from '../activities/interfaces';
import { IO_RETRY } from '../common/io-retry';

/**
 * I/O retries with backoff for as long as it takes (SMTP or the database down for hours must not lose
 * a message); bad data fails at once. Deadline watchdogs in the workflow escalate meanwhile.
 */
export const io = proxyActivities<AgreementActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: `${IO_RETRY.initialIntervalSeconds} seconds`,
    backoffCoefficient: IO_RETRY.backoffCoefficient,
    maximumInterval: `${IO_RETRY.maximumIntervalSeconds} seconds`,
    nonRetryableErrorTypes: [BAD_DATA],
  },
});

/** Pure computations: local activities, so their results are recorded in history cheaply. */
export const calendar = proxyLocalActivities<CalendarActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: [BAD_DATA] },
});
