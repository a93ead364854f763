/**
 * The two ways a message leaves: SMTP (SMTP_URL) or an .eml file in the outbox. Each records the
 * outcome in the ledger the moment it is known and returns it, or throws a plain (retryable) Error for
 * what time may fix.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import * as net from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import type { EmailLedger } from './ledger';
import type { MailTransport } from '../records/engine-settings';

export interface Outcome {
  state: 'sent' | 'rejected';
  detail: string;
}

export interface Delivery {
  /** Hands the message over and records the outcome under `key` before returning it. */
  deliver(message: Mail.Options, fileStem: string, key: string): Promise<Outcome>;
  close(): Promise<void>;
}

/** What a delivery writes: the outcome of an attempt that the mailer has begun. */
export type Recorder = Pick<EmailLedger, 'markSent' | 'markRejected'>;

async function record(ledger: Recorder, key: string, outcome: Outcome, at: Date): Promise<Outcome> {
  if (outcome.state === 'sent') await ledger.markSent(key, at, outcome.detail);
  else await ledger.markRejected(key, at, outcome.detail);
  return outcome;
}

interface SmtpError extends Error {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  rejectedErrors?: SmtpError[];
  recipient?: string;
}

function addressOf(a: string | Mail.Address): string {
  return (typeof a === 'string' ? a : a.address).toLowerCase();
}

function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** Where the engine's mail goes (records/engine-settings.ts): the server without credentials, or the outbox. */
export function mailTransportFor(config: { SMTP_URL?: string; DURA_DATA_DIR: string }): MailTransport {
  if (!config.SMTP_URL) return { smtp: null, outbox: path.resolve(config.DURA_DATA_DIR, 'outbox') };
  const protocol = new URL(config.SMTP_URL).protocol === 'smtps:' ? 'smtps' : 'smtp';
  return { smtp: { protocol, ...serverOf(config.SMTP_URL) }, outbox: null };
}

/** Where the server is, without the credentials that SMTP_URL may carry. */
function serverOf(smtpUrl: string): { host: string; port: number } {
  const url = new URL(smtpUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1'); // an IPv6 address without its brackets
  return { host, port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)) };
}

/**
 * nodemailer's getSocket hook: the TCP connection it talks over (TLS on top, for smtps or STARTTLS, is
 * still its own), opened with Nagle's algorithm off. With it on, the message's final dot waited up to
 * 40 ms for the server's delayed ACK of the body, and a worker killed meanwhile had still sent it (the
 * kernel flushes what a dead process wrote): delivered, never recorded, sent again by the retry.
 * A connection that fails is left to nodemailer, which then connects by itself and reports the error:
 * its pool would keep the slot of an error reported here for ever, and stall once its slots leaked.
 */
function connectWithoutDelay(host: string, port: number, timeoutMs: number) {
  return (_options: unknown, callback: (err: null, socket: { connection: net.Socket } | false) => void) => {
    let done = false;
    const socket = net.connect({ host, port, noDelay: true });
    const finish = (connection?: net.Socket) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      callback(null, connection ? { connection } : false);
    };
    const timer = setTimeout(() => {
      socket.destroy();
      finish();
    }, timeoutMs);
    socket.on('error', () => finish()); // once connected, nodemailer listens for errors itself
    socket.once('connect', () => finish(socket));
  };
}

/**
 * Over SMTP: the outcome is recorded the moment the server's reply is read (nodemailer calls back on
 * the 250 itself). A crash between the two sends the message again with the same Message-ID;
 * mail-thread.ts keeps that stretch short.
 */
export function smtpDelivery(smtpUrl: string, ledger: Recorder, now: () => Date): Delivery {
  const { host, port } = serverOf(smtpUrl);
  const server = `${host}:${port}`;
  // One pooled connection, kept open: messages go one after another, so at most one is ever between
  // its end of data and the record of its 250, and a crash can send at most one again. With five, a
  // worker-chaos kill caught three in flight at once (CI, 2026-12-03); one costs nothing measurable
  // (lifecycle bench: wall 0.92, worker CPU 107 ms, as with five). A connection that breaks mid-message
  // fails the attempt (maxRequeues 0); the activity's retry decides.
  // (maxRequeues is nodemailer's, missing from its type definitions)
  const settings: SMTPPool.Options & { maxRequeues: number } = {
    url: smtpUrl,
    pool: true,
    maxConnections: 1,
    maxRequeues: 0,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    dnsTimeout: 10_000,
    getSocket: connectWithoutDelay(host, port, 10_000),
  };
  const transport = idleClosingPool(settings, POOL_IDLE_MS);
  return {
    async deliver(message, _fileStem, key) {
      const to = new Set(([] as Array<string | Mail.Address>).concat(message.to ?? []).map(addressOf));
      let info;
      try {
        info = await transport.sendMail(message);
      } catch (err) {
        return record(ledger, key, failure(err as SmtpError, server), now());
      }
      const refused = ((info as { rejectedErrors?: SmtpError[] }).rejectedErrors ?? []).map(
        (e) => `${e.recipient ?? '?'}: ${oneLine(e.response)}`,
      );
      const accepted = info.accepted.map(addressOf);
      // A refused "to" means the message did not reach the person it is for (a cc alone is not enough).
      if (info.rejected.some((a) => to.has(addressOf(a))))
        return record(
          ledger,
          key,
          { state: 'rejected', detail: `refused ${refused.join('; ')}; accepted for ${accepted.join(', ')}` },
          now(),
        );
      const partial = refused.length ? ` (refused ${refused.join('; ')})` : '';
      return record(ledger, key, { state: 'sent', detail: `${oneLine(info.response)}${partial}` }, now());
    },
    close: async () => transport.close(),
  };
}

/** Connections a pool keeps after its last message: nothing goes stale between messages days apart. */
const POOL_IDLE_MS = 2_000;

function idleClosingPool(settings: SMTPPool.Options, idleMs: number) {
  let pool: nodemailer.Transporter<SMTPPool.SentMessageInfo> | undefined;
  let busy = 0;
  let idle: NodeJS.Timeout | undefined;
  const close = () => {
    clearTimeout(idle);
    pool?.close();
    pool = undefined;
  };
  return {
    async sendMail(message: Mail.Options): Promise<SMTPPool.SentMessageInfo> {
      clearTimeout(idle);
      // The pool itself, not createTransport(settings): given a `url`, createTransport keeps only what
      // the URL says and drops every other setting (the timeouts above never applied before).
      const current = (pool ??= nodemailer.createTransport(new SMTPPool(settings)));
      busy++;
      try {
        return await current.sendMail(message);
      } finally {
        if (--busy === 0) idle = setTimeout(close, idleMs).unref();
      }
    },
    close,
  };
}

/**
 * What an SMTP error says about the mail server `server` (host:port), in the words `dura status` gives
 * a failed message (`took the connection but never greeted (…)`), for `dura doctor`'s mail check.
 */
export function mailServerProblem(err: unknown, server: string): string {
  try {
    return failure(err as SmtpError, server).detail ?? String(err);
  } catch (thrown) {
    return (thrown as Error).message;
  }
}

/** A permanent refusal becomes an outcome; everything else is thrown to be retried. */
function failure(err: SmtpError, server: string): Outcome {
  const code = err.responseCode ?? 0;
  const permanent = code >= 500 && (err.code === 'EENVELOPE' || err.code === 'EMESSAGE');
  // A 5xx to MAIL FROM refuses the sender (MAIL_FROM, relay rights): every message would fail alike, so
  // it is a configuration problem that the operators fix, and the retries then deliver.
  if (permanent && err.command !== 'MAIL FROM') {
    const refused = err.rejectedErrors?.map((e) => `${e.recipient ?? '?'}: ${oneLine(e.response)}`);
    return {
      state: 'rejected',
      detail: refused?.length ? `refused ${refused.join('; ')}` : `${err.command}: ${oneLine(err.response)}`,
    };
  }
  // Each says what to look at; the activity retries them all (dura status adds "dura keeps trying").
  if (err.code === 'EAUTH')
    throw new Error(
      `the mail server ${server} refused the login (${oneLine(err.response ?? err.message)}): check the user ` +
        `and password in SMTP_URL`,
      { cause: err },
    );
  if (code >= 400)
    throw new Error(`the mail server ${server} deferred the message (${oneLine(err.response)})`, {
      cause: err,
    });
  if (/wrong version number|ssl3_get_record|unknown protocol|EPROTO/i.test(`${err.code} ${err.message}`))
    throw new Error(
      `the mail server ${server} does not speak TLS as SMTP_URL asks (${oneLine(err.message)}): smtps:// is ` +
        `for a server that starts with TLS (port 465), smtp:// for one that starts plain`,
      { cause: err },
    );
  if (
    /certificate|self[- ]signed|unable to (get|verify)|CERT_|ERR_TLS_CERT/i.test(`${err.code} ${err.message}`)
  )
    throw new Error(
      `the mail server ${server} answered with a TLS certificate that is not trusted (${oneLine(err.message)}): ` +
        `renew or fix its certificate, or trust its CA with NODE_EXTRA_CA_CERTS`,
      { cause: err },
    );
  if (/Greeting never received/i.test(err.message))
    throw new Error(
      `the mail server ${server} took the connection but never greeted (${err.code ?? 'error'}: ` +
        `${oneLine(err.message)})`,
      { cause: err },
    );
  const unreachable = ['ESOCKET', 'ECONNECTION', 'ETIMEDOUT', 'EDNS', 'ETLS'].includes(err.code ?? '');
  const what = unreachable ? 'cannot be reached' : 'failed';
  throw new Error(`the mail server ${server} ${what} (${err.code ?? 'error'}: ${oneLine(err.message)})`, {
    cause: err,
  });
}

export function outboxDelivery(outboxDir: string, ledger: Recorder, now: () => Date): Delivery {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async deliver(message, fileStem, key) {
      // Named by the idempotency key's hash only: the same key can never produce two files.
      const file = path.join(outboxDir, `${fileStem}.eml`);
      if (existsSync(file))
        return record(ledger, key, { state: 'sent', detail: `already in ${file}` }, now());
      const info = await transport.sendMail(message);
      try {
        await writeOnce(file, info.message as Buffer);
      } catch (err) {
        throw new Error(`cannot write to the outbox ${outboxDir}: ${(err as Error).message}`, { cause: err });
      }
      return record(ledger, key, { state: 'sent', detail: `written to ${file}` }, now());
    },
    close: async () => transport.close(),
  };
}

/** Writes a temp file, syncs it, then links it into place: a crash never leaves half a message. */
async function writeOnce(file: string, content: Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // link() fails if the file exists (unlike rename), so a concurrent attempt cannot make a second one.
    await link(tmp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
      if (!existsSync(file)) await rename(tmp, file); // file systems without hard links
    } else if (code !== 'EEXIST') throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
