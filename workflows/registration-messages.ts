/**
 * What the CLI, a CSV import and the Workbench's web hook say to a requester's registration workflow
 * (workflows/registration.ts), and what it answers. A step is an update with a validator: a rejected
 * report (an unknown step, a date that is no date or is in the future) leaves no trace in history.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { RegistrationStatus, StepReport } from '../common/registration';

/**
 * One step done: answers the registration's status after it. A step already recorded on the same date
 * is a no-op that still answers; the same step on another date corrects it (history says so).
 */
export const recordStepUpdate = defineUpdate<RegistrationStatus, [StepReport]>('recordStep');

/**
 * The access team closes a registration with steps left (`dura registration close`: the person left, or
 * will not register): no more mail, not stalled, and the workflow ends. Answers the status after it; a
 * registration already complete or closed answers as it is. The reason: one line, 1 to 500 characters.
 */
export const closeRegistrationUpdate = defineUpdate<RegistrationStatus, [{ reason: string }]>(
  'closeRegistration',
);

export const registrationStatusQuery = defineQuery<RegistrationStatus>('registrationStatus');
