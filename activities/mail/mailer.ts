/**
 * The mailer behind the sendEmail activity: renders a kind's templates, resolves the recipients and
 * sends each message at most once per idempotency key, over SMTP or into the outbox.
 *
 * The protocol (so that a retried activity does not send again):
 *   1. validate and render: bad data fails now, non-retryably, before anything is recorded or sent;
 *   2. ledger.begin records the attempt; if an earlier attempt was `sent` or `rejected`, return that;
 *   3. hand the message to the server (or the outbox);
 *   4. the moment the server accepts, ledger.markSent (or markRejected on a permanent 5xx), by the
 *      delivery itself (deliver.ts), in the turn of the event loop that reads the server's reply.
 * The one unavoidable window lies between 3 and 4: a crash (or a lost database) after the server
 * accepted and before the record leaves the entry `sending`, and the retry sends again. It sends the
 * SAME Message-ID (derived from the key), which mail systems use to drop the duplicate. Nothing but
 * the record runs between the accept and markSent, and with `databaseUrl` both run in a thread of
 * their own (mail-thread.ts), which keeps that window as small as it can be.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type Mail from 'nodemailer/lib/mailer';
import { z } from 'zod';
import type { AgreementSnapshot } from '../../common/agreement';
import {
  BAD_DATA,
  EMAIL_KINDS,
  type DigestRequest,
  type AgreementActivities,
  type RegistrationReportRequest,
  type EmailReceipt,
  type EmailRequest,
  type MessageKind,
  type Recipient,
} from '../interfaces';
import { outboxDelivery, smtpDelivery, type Delivery } from './deliver';
import { shareable } from '../records/db';
import { mailThreadDelivery, type MailThreadPriority } from './mail-thread';
import { buildDigestView } from './digest-view';
import { buildRegistrationReportView } from './registration-report-view';
import type { EmailLedger } from './ledger';
import { render, type RenderedMessage } from './render';
import type { MailLinks } from './settings';
import { personalLink, type StatusLinkSettings } from './status-links';
import { buildView } from './view';

export interface MailerOptions {
  /** smtp://… or smtps://…; unset: messages are written to `outboxDir` as .eml files. */
  smtpUrl?: string;
  outboxDir: string;
  /** MAIL_FROM: "Name <address>" or a bare address. */
  from: string;
  accessTeam: string;
  aouSigningOfficial: string;
  links: MailLinks;
  ledger: EmailLedger;
  /**
   * The ledger's database (DATABASE_URL): SMTP then runs in a thread that records each outcome there
   * itself (mail-thread.ts). Unset: in this thread, through `ledger`.
   */
  databaseUrl?: string;
  /** Told how the mail thread's priority went, each time one starts (mail-thread.ts). */
  onMailThread?: (priority: MailThreadPriority) => void;
  /**
   * The registration steps an address already completed for earlier agreements (the records), so that
   * its registration instructions say what is left (issue 18); unset: the instructions list all five.
   */
  registrations?: Pick<AgreementActivities, 'stepsAlreadyDone'>;
  /** How a requester's personal status link is made; unset: no message carries one. */
  statusLinks?: StatusLinkSettings;
  /** Where requests that name the agreement by `agreementRef` find its snapshot (the records). */
  agreements?: RecordedAgreements;
  now?: () => Date;
}

export interface RecordedAgreements {
  /** The agreement's latest recorded snapshot (without its history), or null when none is recorded. */
  agreementSnapshot(agreementRef: string): Promise<AgreementSnapshot | null>;
  /** The agreements awaiting signature that an address signs for (the closed notice names the others). */
  awaitingSignatureFrom?(email: string): Promise<string[]>;
}

export interface Mailer {
  send(request: EmailRequest): Promise<EmailReceipt>;
  /** The weekly digest to the access team: the same protocol, about no one agreement. */
  sendDigest(request: DigestRequest): Promise<EmailReceipt>;
  /** An institution's monthly registration report to its report contact; replies go to the access team. */
  sendRegistrationReport(request: RegistrationReportRequest): Promise<EmailReceipt>;
  close(): Promise<void>;
}

/** A rendered message on its way: what the ledger records and the server receives. */
interface Outgoing {
  idempotencyKey: string;
  kind: MessageKind;
  /** The agreement it is about; empty for the digest. */
  agreementId: string;
  to: Mail.Address[];
  cc: Mail.Address[];
  replyTo?: Mail.Address;
  rendered: RenderedMessage;
}

function badData(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, BAD_DATA);
}

const email = z.email();
// Control characters (CR and LF above all) in a header value could start a new header.
function hasControl(value: string): boolean {
  return [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

/** A checked address object: nodemailer encodes the name, so it never reaches a header raw. */
export function mailbox(name: string, address: string, field: string): Mail.Address {
  if (typeof name !== 'string' || hasControl(name))
    throw badData(`${field}.name: a name must be one line without control characters`);
  if (typeof address !== 'string' || hasControl(address) || !email.safeParse(address.trim()).success)
    throw badData(`${field}.email: ${JSON.stringify(address)} is not a valid e-mail address`);
  return { name: name.trim(), address: address.trim() };
}

function parseFrom(from: string): Mail.Address {
  const match = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(from);
  const name = (match?.[1] ?? '').replace(/^"(.*)"$/, '$1');
  return mailbox(name, match?.[2] ?? from, 'MAIL_FROM');
}

/** `<first 32 hex of sha256(key)>`: the same on every attempt of the same message. */
export function keyHash(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 32);
}

export function messageIdFor(idempotencyKey: string): string {
  return `<${keyHash(idempotencyKey)}@dura>`;
}

export function createMailer(options: MailerOptions): Mailer {
  const now = options.now ?? (() => new Date());
  const from = parseFrom(options.from);
  const roles = {
    'access-team': mailbox('All of Us access team', options.accessTeam, 'ACCESS_TEAM_EMAIL'),
    'aou-signing-official': mailbox(
      'All of Us signing official',
      options.aouSigningOfficial,
      'AOU_SIGNING_OFFICIAL_EMAIL',
    ),
  };
  const delivery: Delivery = !options.smtpUrl
    ? outboxDelivery(options.outboxDir, options.ledger, now)
    : options.databaseUrl && shareable(options.databaseUrl)
      ? mailThreadDelivery(options.smtpUrl, options.databaseUrl, options.onMailThread)
      : smtpDelivery(options.smtpUrl, options.ledger, now);

  function resolve(recipients: Recipient[] | undefined, field: string): Mail.Address[] {
    if (recipients !== undefined && !Array.isArray(recipients)) throw badData(`${field}: expected a list`);
    return (recipients ?? []).map((r, i) => {
      if (r === 'access-team' || r === 'aou-signing-official') return roles[r];
      if (r === null || typeof r !== 'object')
        throw badData(`${field}[${i}]: unknown recipient ${String(r)}`);
      return mailbox(r.name, r.email, `${field}[${i}]`);
    });
  }

  function checkKey(idempotencyKey: unknown): void {
    if (typeof idempotencyKey !== 'string' || idempotencyKey.trim() === '')
      throw badData('idempotencyKey: required');
  }

  async function send(request: EmailRequest): Promise<EmailReceipt> {
    // 1. Everything that can never succeed fails here, before the ledger or the server sees it.
    const { idempotencyKey, kind } = request;
    checkKey(idempotencyKey);
    if (!EMAIL_KINDS.includes(kind)) throw badData(`kind: unknown e-mail kind ${JSON.stringify(kind)}`);
    const to = resolve(request.to, 'to');
    const cc = resolve(request.cc, 'cc');
    if (to.length === 0) throw badData('to: at least one recipient is needed');
    const agreement = await agreementOf(request);
    const at = now();
    const view = buildView(request, agreement, {
      links: options.links,
      accessTeam: roles['access-team'].address,
      aouSigningOfficial: roles['aou-signing-official'].address,
      now: at,
      statusLink: await personalLink(options.statusLinks, request, agreement, at),
      otherOpen:
        kind === 'closed-notice' && options.agreements?.awaitingSignatureFrom
          ? (await options.agreements.awaitingSignatureFrom(to[0]!.address)).filter(
              (id) => id !== agreement.agreementId,
            )
          : null,
      stepsDone:
        kind === 'registration-instructions' && options.registrations
          ? (
              await options.registrations.stepsAlreadyDone({
                email: to[0]!.address,
              })
            ).steps
          : null,
    });
    // Replies go to the people, not to the engine's sender address.
    const replyTo = kind === 'escalation' ? undefined : roles['access-team'];
    const rendered = render(kind, view);
    return sendOnce({ idempotencyKey, kind, agreementId: request.agreementId, to, cc, replyTo, rendered });
  }

  /** The snapshot the message is about: carried by the request, or as the records hold it. */
  async function agreementOf(request: EmailRequest): Promise<AgreementSnapshot> {
    if (request.agreement) return request.agreement;
    const ref = request.agreementRef;
    if (typeof ref !== 'string' || ref === '')
      throw badData('agreementRef: required when no agreement is given');
    if (!options.agreements)
      throw badData(`agreementRef: ${ref}: this mailer has no records to read it from`);
    const recorded = await options.agreements.agreementSnapshot(ref);
    if (!recorded) throw badData(`agreementRef: ${ref}: no agreement is recorded under it`);
    return recorded;
  }

  async function sendDigest(request: DigestRequest): Promise<EmailReceipt> {
    checkKey(request.idempotencyKey);
    if (!Array.isArray(request.entries)) throw badData('entries: expected a list');
    const view = buildDigestView(request, { accessTeam: roles['access-team'].address });
    const rendered = render('digest', view);
    const to = [roles['access-team']];
    return sendOnce({
      idempotencyKey: request.idempotencyKey,
      kind: 'digest',
      agreementId: '',
      to,
      cc: [],
      rendered,
    });
  }

  async function sendRegistrationReport(request: RegistrationReportRequest): Promise<EmailReceipt> {
    checkKey(request.idempotencyKey);
    if (!Array.isArray(request.registrations) || request.registrations.length === 0)
      throw badData('registrations: at least one is needed');
    const view = buildRegistrationReportView(request, { accessTeam: roles['access-team'].address });
    return sendOnce({
      idempotencyKey: request.idempotencyKey,
      kind: 'registration-report',
      agreementId: '',
      to: [mailbox('', request.contact, 'contact')],
      cc: [],
      replyTo: roles['access-team'],
      rendered: render('registration-report', view),
    });
  }

  /** Steps 2 to 4 of the protocol above, for a message validated and rendered. */
  async function sendOnce(message: Outgoing): Promise<EmailReceipt> {
    const { idempotencyKey, kind, to, cc, rendered } = message;
    const hash = keyHash(idempotencyKey);
    const messageId = `<${hash}@dura>`;

    // 2. The attempt is recorded first; an earlier outcome is final.
    const earlier = await options.ledger.begin(
      {
        idempotencyKey,
        messageId,
        kind,
        agreementId: message.agreementId,
        recipients: [...to, ...cc].map((a) => a.address),
      },
      now(),
    );
    if (earlier?.state === 'sent')
      return { messageId: earlier.messageId, state: 'sent', detail: earlier.detail ?? undefined };
    if (earlier?.state === 'rejected')
      return { messageId: earlier.messageId, state: 'rejected', detail: earlier.detail ?? 'rejected' };

    // 3 and 4. Send (again, if `sending`: an earlier attempt may have crashed inside the window), and
    // the outcome recorded the moment the server gave it. A failure is retried by the activity; why it
    // failed stays on the row meanwhile, for `dura status` (a record that fails too hides nothing).
    const outcome = await deliverOnce(
      {
        from,
        to,
        cc,
        replyTo: message.replyTo,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        messageId,
        date: now(),
        // The kind and the agreement (its id, no personal data) let mail rules sort dura's messages.
        headers: {
          'Auto-Submitted': 'auto-generated',
          'X-Dura-Kind': kind,
          ...(message.agreementId ? { 'X-Dura-Agreement': message.agreementId } : {}),
        },
      },
      `${hash}-${kind}`,
      idempotencyKey,
    );
    return { messageId, state: outcome.state, detail: outcome.detail };
  }

  async function deliverOnce(...args: Parameters<Delivery['deliver']>): ReturnType<Delivery['deliver']> {
    try {
      return await delivery.deliver(...args);
    } catch (err) {
      const why = String((err as Error)?.message ?? err).split('\n')[0]!;
      await options.ledger.markFailed(args[2], now(), why).catch(() => undefined);
      throw err;
    }
  }

  return { send, sendDigest, sendRegistrationReport, close: () => delivery.close() };
}
