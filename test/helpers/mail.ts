/**
 * For the mailer's tests: a real SMTP server on 127.0.0.1 that keeps what arrived (parsed with
 * mailparser) and refuses chosen recipients, an in-memory e-mail ledger and helpers.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { ApplicationFailure } from '@temporalio/common';
import { BAD_DATA, type EmailKind, type EmailRequest, type Recipient } from '../../activities/interfaces';
import type { EmailEntry, EmailLedger, EmailState } from '../../activities/mail/ledger';
import { mailSettings } from '../../activities/mail/settings';
import { sampleAgreement } from './samples';

export interface Arrived {
  mail: ParsedMail;
  /** The envelope recipients (RCPT TO), which include any Bcc. */
  rcptTo: string[];
}

export interface TestSmtp {
  url: string;
  port: number;
  arrived: Arrived[];
  /** Recipient address → SMTP reply code to refuse it with (550 for good, 451 for now). */
  refuse: Map<string, number>;
  /** Every RCPT TO the server saw, accepted or not. */
  rcptAttempts: string[];
  close(): Promise<void>;
}

export async function startSmtp(port = 0): Promise<TestSmtp> {
  const arrived: Arrived[] = [];
  const refuse = new Map<string, number>();
  const rcptAttempts: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase();
      rcptAttempts.push(to);
      const code = refuse.get(to);
      if (code)
        return callback(
          Object.assign(new Error(`${code === 550 ? '5.1.1' : '4.2.1'} not now`), { responseCode: code }),
        );
      callback();
    },
    onData(stream, session, callback) {
      const rcptTo = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
      simpleParser(stream)
        .then((mail) => {
          arrived.push({ mail, rcptTo });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${actual}`,
    port: actual,
    arrived,
    refuse,
    rcptAttempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface LedgerRow extends EmailEntry {
  state: EmailState;
  detail: string | null;
  attempts: number;
}

/** The e-mails table in a Map (the real one lives in activities/records). */
export class MemoryLedger implements EmailLedger {
  readonly rows = new Map<string, LedgerRow>();

  async begin(entry: EmailEntry) {
    const row = this.rows.get(entry.idempotencyKey);
    if (!row) {
      this.rows.set(entry.idempotencyKey, { ...entry, state: 'sending', detail: null, attempts: 1 });
      return null;
    }
    row.attempts += 1;
    return { state: row.state, messageId: row.messageId, detail: row.detail };
  }

  async markSent(key: string, _at: Date, detail?: string) {
    this.set(key, 'sent', detail ?? null);
  }

  async markRejected(key: string, _at: Date, detail: string) {
    this.set(key, 'rejected', detail);
  }

  async markFailed(key: string, _at: Date, detail: string) {
    const row = this.rows.get(key);
    if (row?.state === 'sending') row.detail = detail;
  }

  private set(key: string, state: EmailState, detail: string | null) {
    const row = this.rows.get(key);
    if (!row) throw new Error(`no attempt recorded for ${key}`);
    Object.assign(row, { state, detail });
  }
}

/** The bare addresses of a parsed To, Cc or Reply-To. */
export function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  return [field ?? []].flat().flatMap((a) => a.value.map((v) => v.address ?? ''));
}

export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected a failure');
}

export function rejectionSync(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected a failure');
}

/** A port with nothing listening on it (for "SMTP is down"). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function emailRequest(
  kind: EmailKind,
  key: string,
  to: Recipient[],
  more: Partial<EmailRequest> = {},
): EmailRequest {
  const extra = { reason: 'The initiation deadline passed.', reminderNumber: 2 };
  return {
    idempotencyKey: key,
    kind,
    agreementId: 'dura-uw.test',
    to,
    agreement: sampleAgreement(),
    extra,
    ...more,
  };
}

/** A non-retryable BAD_DATA failure whose message names the field. */
export function assertBadData(err: Error, field: string): void {
  assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${err.stack}`);
  assert.equal(err.type, BAD_DATA);
  assert.equal(err.nonRetryable, true);
  assert.ok(err.message.includes(field), `${err.message} should name ${field}`);
}

/** The mailer settings the mail tests share (no links configured: the defaults). */
export const testMailerSettings = () => ({
  outboxDir: '',
  from: 'All of Us DURA <dura@aou.test>',
  accessTeam: 'team@aou.test',
  aouSigningOfficial: 'so@aou.test',
  links: mailSettings({}).links,
});
