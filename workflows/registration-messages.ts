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

export const registrationStatusQuery = defineQuery<RegistrationStatus>('registrationStatus');
