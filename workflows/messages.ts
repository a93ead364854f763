/**
 * What the access team (through the CLI) and integrations can say to a running agreement.
 * Mutations are updates with validators: the caller gets an acknowledgement or a clear rejection, and a
 * rejected update leaves no trace in history. `executed` is also a signal, for integrations. An update
 * answers with the status after the change, without its history (`AgreementAnswer`): the status query
 * has it.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AgreementAnswer,
  AgreementRequest,
  AgreementStatus,
  Execution,
  JoinResult,
  Person,
  SigningOfficial,
} from '../common/agreement';

/** A request for an institution whose agreement is running joins it (used by update-with-start). */
export const joinUpdate = defineUpdate<JoinResult, [AgreementRequest]>('join');
export const addRequesterUpdate = defineUpdate<AgreementAnswer, [Person]>('addRequester');
export const removeRequesterUpdate = defineUpdate<AgreementAnswer, [{ email: string }]>('removeRequester');
/** A requester's name corrected (`dura add-requester` with an address the agreement has, another name). */
export const renameRequesterUpdate = defineUpdate<AgreementAnswer, [Person]>('renameRequester');
/** The institution's name corrected on an agreement in process (`dura rename-institution`). */
export const renameInstitutionUpdate = defineUpdate<AgreementAnswer, [{ name: string }]>('renameInstitution');
export const initiateUpdate = defineUpdate<AgreementAnswer, []>('initiate');
export const executeUpdate = defineUpdate<AgreementAnswer, [Execution]>('execute');
export const cancelUpdate = defineUpdate<AgreementAnswer, [{ reason: string }]>('cancel');
export const declineUpdate = defineUpdate<AgreementAnswer, [{ reason: string }]>('decline');
/** `add`: one more official beside those the agreement has; without it, the one official from now on. */
export const setSigningOfficialUpdate = defineUpdate<AgreementAnswer, [SigningOfficial & { add?: boolean }]>(
  'setSigningOfficial',
);
/** `force`: send even when the last reminder went out less than a day ago (absent from older clients). */
export const remindNowUpdate = defineUpdate<AgreementAnswer, [{ force?: boolean }]>('remindNow');
/** `until`: a New York date (YYYY-MM-DD, reminders resume at 09:00 that business day) or an instant. */
export const pauseRemindersUpdate = defineUpdate<AgreementAnswer, [{ until: string }]>('pauseReminders');
export const resumeRemindersUpdate = defineUpdate<AgreementAnswer, []>('resumeReminders');
export const setCadenceUpdate = defineUpdate<AgreementAnswer, [{ days: number }]>('setCadence');

export const executedSignal = defineSignal<[Execution]>('executed');

export const statusQuery = defineQuery<AgreementStatus>('status');
