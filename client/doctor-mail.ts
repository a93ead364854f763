/**
 * `dura doctor`'s mail check: the server the engine's workers send through (as the last one recorded
 * it, records/engine-settings.ts), reached from here; logged in too when this dura's SMTP_URL names
 * the same server. Sends nothing.
 */
import type { Config } from '../common/config';
import type { MailTransport } from '../activities/records/engine-settings';
import type { Check } from './doctor';

const SMTP_WAIT_MS = 5_000;

/** `engine`: what the workers recorded (null: none has, a worker from before it: this dura's own setting). */
export async function mailCheck(config: Config, engine: MailTransport | null): Promise<Check> {
  const { mailTransportFor } = await import('../activities/mail/deliver');
  const mine = mailTransportFor(config);
  const known = engine ?? mine;
  const unsaid = "no worker has recorded the engine's";
  if (!known.smtp)
    return {
      check: 'mail',
      finding: 'warning',
      detail:
        `no SMTP_URL (${engine ? "the engine's" : `this dura's; ${unsaid}`}): messages are written to ` +
        `${known.outbox} as .eml files, not sent`,
    };
  const { protocol, host, port } = known.smtp;
  const at = `${host}:${port}, ${engine ? "the engine's server" : `this dura's SMTP_URL (${unsaid})`}`;
  const same = mine.smtp !== null && mine.smtp.host === host && mine.smtp.port === port;
  // Logged in with this dura's URL when it names that server; else connected and greeted only.
  const url = same ? config.SMTP_URL! : `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const { default: nodemailer } = await import('nodemailer');
  const { default: SMTPTransport } = await import('nodemailer/lib/smtp-transport');
  const transport = nodemailer.createTransport(
    new SMTPTransport({
      url,
      connectionTimeout: SMTP_WAIT_MS,
      greetingTimeout: SMTP_WAIT_MS,
      // Longer than the greeting's: a server that took the connection and never greets is said so.
      socketTimeout: 2 * SMTP_WAIT_MS,
    }),
  );
  try {
    await transport.verify();
    const login = same
      ? ''
      : `; its login not checked (this dura's SMTP_URL ${mine.smtp ? 'names another server' : 'is unset'})`;
    return { check: 'mail', finding: 'ok', detail: `${at}: accepts connections${login}` };
  } catch (err) {
    // As `dura status` says it of a message (a trial's hung server read only "Timeout" here).
    const { mailServerProblem } = await import('../activities/mail/deliver');
    const why = mailServerProblem(err, `${host}:${port}`).replace(/^the mail server \S+ /, '');
    return {
      check: 'mail',
      finding: 'problem',
      detail: `${at}: ${why} (messages wait and are retried)`,
    };
  } finally {
    transport.close();
  }
}
