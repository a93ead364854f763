/**
 * What an agreement workflow starts from (its input) and the state it carries across continue-as-new,
 * and that state as a new agreement has it. The state's behaviour: agreement-state.ts.
 */
import { workflowInfo } from '@temporalio/workflow';
import {
  DEFAULT_POLICY,
  agreementIdFor,
  type AgreementStatus,
  type AgreementRequest,
  type Execution,
  type Person,
  type Policy,
  type SigningOfficial,
} from '../common/agreement';
import type { CalendarTable } from '../common/business-calendar';

export interface AgreementInput {
  request: AgreementRequest;
  policy?: Partial<Policy>;
  /** Present when the agreement continues as new: everything it knew. */
  state?: AgreementState;
  /** An individual agreement for the requester's address (client/agreements.ts decides). */
  individual?: boolean;
  /** Continue as new after this many history events (default: when the server suggests it). */
  continueAsNewAfterEvents?: number;
  /**
   * Why the access team should look before the package goes, found by the client's own checks (the
   * request form's twin of an agreement in process under another domain); patch `triage-holds`.
   */
  review?: string;
  /**
   * A renewal (`dura renew`, issue 18): the agreement it renews, that one's term (signalled when this
   * is executed), and its requesters (all of them get this one's updates) and officials.
   */
  renewal?: {
    renews: string;
    termWorkflowId: string | null;
    requesters: Person[];
    officials: SigningOfficial[];
  };
}

export interface AgreementState {
  /** Identifies this agreement in records and message keys (its first run id). */
  ref: string;
  status: AgreementStatus;
  triaged: boolean;
  listedTiers: string[];
  startAcknowledged: boolean;
  lastReminderAt: string | null;
  statusUpdatesSent: number;
  escalated: string[];
  /** History entries already written to the records database. */
  recordedCount: number;
  execution: Execution | null;
  end: { stage: 'cancelled' | 'declined' | 'not-needed'; reason: string } | null;
  /** The institution's e-mail domains as triage found them (absent before patch `agreement-ids`). */
  domains?: string[];
  /** The business-day calendar recorded for this agreement (workflows/clock.ts); absent before it. */
  calendar?: CalendarTable;
  /**
   * The requesters' "we received your request" waits for an automatic initiation, so that they get one
   * message saying both (patch `one-first-mail`, workflows/mail.ts); absent before it.
   */
  receiptHeld?: boolean;
  /** Why triage held the package for the access team (patch `triage-holds`); absent when it did not. */
  held?: string;
}

export function newState(input: AgreementInput): AgreementState {
  const { request } = input;
  return {
    ref: workflowInfo().firstExecutionRunId,
    status: {
      agreementId: agreementIdFor(request.institution.domain),
      institution: { ...request.institution },
      kind: 'new',
      stage: 'awaiting-initiation',
      tiers: [...request.tiers],
      requesters: [{ ...request.requester }],
      signingOfficial: { ...request.signingOfficial },
      signingOfficials: [{ ...request.signingOfficial }],
      ...(input.individual ? { individual: request.requester.email.trim().toLowerCase() } : {}),
      policy: { ...DEFAULT_POLICY, ...input.policy },
      receivedAt: request.receivedAt,
      initiationDueBy: null,
      initiatedAt: null,
      remindersSent: 0,
      nextReminderAt: null,
      remindersPausedUntil: null,
      nextStatusUpdateAt: null,
      overdue: false,
      executedAt: null,
      signedOn: null,
      // Its end date, set at execution (workflows/term-start.ts); null: none (issue 18). Query-only: no command.
      expiresOn: null,
      documentRef: null,
      instructionsDueBy: null,
      instructionsSentAt: null,
      endedAt: null,
      endReason: null,
      earlierAgreements: [],
      ...(input.renewal
        ? {
            renews: input.renewal.renews,
            requesters: input.renewal.requesters.map((r) => ({ ...r })),
            signingOfficial: { ...input.renewal.officials[0]! },
            signingOfficials: input.renewal.officials.map((o) => ({ ...o })),
          }
        : {}),
      history: [],
    },
    triaged: false,
    listedTiers: [],
    startAcknowledged: false,
    lastReminderAt: null,
    statusUpdatesSent: 0,
    escalated: [],
    recordedCount: 0,
    execution: null,
    end: null,
  };
}
