/**
 * The e-mails table as the mailer sees it: where each message's attempt and outcome are recorded under
 * its idempotency key, so that a retried activity never sends the same message twice.
 * Implemented by the records store (activities/records/store.ts).
 */
export type EmailState = 'sending' | 'sent' | 'rejected';

export interface EmailEntry {
  idempotencyKey: string;
  /** Derived from the idempotency key: the same on every attempt. */
  messageId: string;
  kind: string;
  agreementId: string;
  recipients: string[];
}

export interface EmailLedger {
  /**
   * Records an attempt before anything is sent. Returns `null` for a first attempt, or what an earlier
   * attempt recorded (`sending` means it may have crashed between the SMTP accept and the record).
   */
  begin(
    entry: EmailEntry,
    at: Date,
  ): Promise<{ state: EmailState; messageId: string; detail: string | null } | null>;
  /** The server accepted the message. */
  markSent(idempotencyKey: string, at: Date, detail?: string): Promise<void>;
  /** The server refused the recipients for good (5xx): recorded, escalated by the workflow, not retried. */
  markRejected(idempotencyKey: string, at: Date, detail: string): Promise<void>;
  /**
   * An attempt failed and will be retried (the server down, a 4xx): `detail` is why, one line, kept on
   * the `sending` row for `dura status` to show (client/status-mail.ts). A row sent or refused meanwhile
   * is left as it is.
   */
  markFailed(idempotencyKey: string, at: Date, detail: string): Promise<void>;
}
