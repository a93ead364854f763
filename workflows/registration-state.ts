/**
 * One requester's registration inside its workflow (workflows/registration.ts): the status it answers,
 * its history, and how it is written to the records. Pure bookkeeping; the loop and the mail are there.
 */
import type { Institution, Person } from '../common/agreement';
import type { CalendarTable } from '../common/business-calendar';
import { noStepsDone, type RegistrationStatus } from '../common/registration';
import { io } from './activities';

/** What the agreement workflow starts a requester's registration with (workflows/steps.ts). */
export interface RegistrationInput {
  /** Its own workflow id (common/registration.ts `registrationWorkflowId`). */
  registrationId: string;
  /** The agreement's own id (e.g. `uw.edu-2`) and its records reference (first run id). */
  agreementId: string;
  agreementRef: string;
  institution: Institution;
  requester: Person;
  /** ISO-8601: when this requester's registration instructions were sent. */
  instructionsSentAt: string;
  /** Days between nudges (policy `registrationNudgeEveryDays`, 7) and nudges at most (`registrationNudges`, 4). */
  nudgeEveryDays: number;
  nudges: number;
  /**
   * Started by `dura registration resend` (the agreement's own send was refused): the registration sends
   * the instructions itself first (workflows/registration-mail.ts). Absent when the agreement started it.
   */
  sendInstructions?: boolean;
}

export interface RegistrationState {
  status: RegistrationStatus;
  /** History entries already written to the records. */
  recordedCount: number;
  /** Its calendar (business mornings, New York dates), fetched once at the start. */
  calendar?: CalendarTable;
}

export function newRegistration(input: RegistrationInput): RegistrationState {
  return {
    status: {
      registrationId: input.registrationId,
      agreementId: input.agreementId,
      institution: { name: input.institution.name, domain: input.institution.domain },
      requester: { name: input.requester.name, email: input.requester.email },
      instructionsSentAt: input.instructionsSentAt,
      steps: noStepsDone(),
      nudgesSent: 0,
      nextNudgeAt: null,
      escalatedAt: null,
      completedAt: null,
      history: [],
    },
    recordedCount: 0,
  };
}

export class Registration {
  /** Set by the update handler: the loop looks again. */
  changed = false;
  private recording: Promise<void> = Promise.resolve();

  constructor(
    readonly state: RegistrationState,
    readonly input: RegistrationInput,
  ) {}

  get status(): RegistrationStatus {
    return this.state.status;
  }

  snapshot(): RegistrationStatus {
    return JSON.parse(JSON.stringify(this.status)) as RegistrationStatus;
  }

  /** Logs an event in the requester's words; the records also add it to the agreement's history. */
  log(event: string, detail?: string): void {
    this.status.history.push(detail === undefined ? { at: now(), event } : { at: now(), event, detail });
    this.changed = true;
  }

  /** Writes the row and the new events to the records, one write after another (idempotent). */
  record(): Promise<void> {
    const next = this.recording.then(async () => {
      const events = this.status.history.slice(this.state.recordedCount);
      const { history: _history, ...registration } = this.status;
      const firstSeq = this.state.recordedCount;
      this.state.recordedCount += events.length;
      try {
        await io.recordRegistration({ agreementRef: this.input.agreementRef, registration, events });
      } catch (err) {
        this.state.recordedCount = firstSeq; // sent again with the next write
        throw err;
      }
    });
    this.recording = next.catch(() => undefined);
    return next;
  }
}

export function now(): string {
  return new Date().toISOString();
}
