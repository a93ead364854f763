/**
 * The two ways a message leaves: SMTP (SMTP_URL) or an .eml file in the outbox. Each returns the
 * outcome the ledger records, or throws a plain (retryable) Error for what time may fix.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

export interface Outcome {
  state: 'sent' | 'rejected';
  detail: string;
}

export interface Delivery {
  deliver(message: Mail.Options, fileStem: string): Promise<Outcome>;
  close(): void;
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

/** Where the server is, without the credentials that SMTP_URL may carry. */
function serverName(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  return `${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`;
}

export function smtpDelivery(smtpUrl: string): Delivery {
  const server = serverName(smtpUrl);
  // SMTPTransport, not SMTPPool (no `pool: true`): one connection per message, so nothing goes stale
  // between messages days apart.
  const settings: SMTPTransport.Options = {
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    dnsTimeout: 10_000,
  };
  const transport = nodemailer.createTransport(settings);
  return {
    async deliver(message) {
      const to = new Set(([] as Array<string | Mail.Address>).concat(message.to ?? []).map(addressOf));
      let info;
      try {
        info = await transport.sendMail(message);
      } catch (err) {
        return failure(err as SmtpError, server);
      }
      const refused = ((info as { rejectedErrors?: SmtpError[] }).rejectedErrors ?? []).map(
        (e) => `${e.recipient ?? '?'}: ${oneLine(e.response)}`,
      );
      const accepted = info.accepted.map(addressOf);
      // A refused "to" means the message did not reach the person it is for (a cc alone is not enough).
      if (info.rejected.some((a) => to.has(addressOf(a))))
        return {
          state: 'rejected',
          detail: `refused ${refused.join('; ')}; accepted for ${accepted.join(', ')}`,
        };
      const partial = refused.length ? ` (refused ${refused.join('; ')})` : '';
      return { state: 'sent', detail: `${oneLine(info.response)}${partial}` };
    },
    close: () => transport.close(),
  };
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
  if (code >= 400)
    throw new Error(`the mail server ${server} deferred the message (${oneLine(err.response)}); will retry`, {
      cause: err,
    });
  const unreachable = ['ESOCKET', 'ECONNECTION', 'ETIMEDOUT', 'EDNS', 'ETLS'].includes(err.code ?? '');
  const what = unreachable ? 'cannot be reached' : 'failed';
  throw new Error(`the mail server ${server} ${what} (${err.code ?? 'error'}: ${oneLine(err.message)})`, {
    cause: err,
  });
}

export function outboxDelivery(outboxDir: string): Delivery {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async deliver(message, fileStem) {
      // Named by the idempotency key's hash only: the same key can never produce two files.
      const file = path.join(outboxDir, `${fileStem}.eml`);
      if (existsSync(file)) return { state: 'sent', detail: `already in ${file}` };
      const info = await transport.sendMail(message);
      try {
        await writeOnce(file, info.message as Buffer);
      } catch (err) {
        throw new Error(`cannot write to the outbox ${outboxDir}: ${(err as Error).message}`, { cause: err });
      }
      return { state: 'sent', detail: `written to ${file}` };
    },
    close: () => transport.close(),
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
