/**
 * The set-up the mailer's test files share (mail.test.ts, mail-delivery.test.ts): the people, roles and
 * links they write to, and a fixture that starts a test SMTP server for the file and gives each test a
 * fresh ledger and mailer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMailer, type Mailer, type MailerOptions } from '../../activities/mail/mailer';
import { mailSettings } from '../../activities/mail/settings';
import type { Person } from '../../common/agreement';
import { MemoryLedger, startSmtp, type TestSmtp } from './mail';

export const links = mailSettings({
  DURA_LINK_WORKBENCH: 'https://wb.example/start',
  DURA_LINK_IDENTITY: 'https://id.example/verify',
  DURA_LINK_CODE_OF_CONDUCT: 'https://conduct.example/ducc',
  DURA_LINK_RCR_TRAINING: 'https://rcr.example/training',
  DURA_LINK_AGREEMENT: 'https://agreement.example/dura',
}).links;
export const ann: Person = { name: 'Ann Lee', email: 'ann@uw.test' };
export const official: Person = { name: 'Sam Signer', email: 'sam@uw.test' };
export const roles = { accessTeam: 'team@aou.test', aouSigningOfficial: 'so@aou.test' };

/** What a test may set on a mailer of its own. */
export type MailerOverrides = Partial<
  Pick<MailerOptions, 'smtpUrl' | 'outboxDir' | 'agreements' | 'statusLinks' | 'now'>
>;

export interface MailerFixture {
  /** Started before the file's tests; emptied of what arrived and of refusals before each. */
  smtp: TestSmtp;
  /** New before each test. */
  ledger: MemoryLedger;
  /** New before each test, sending to `smtp`. */
  mailer: Mailer;
  /** Folders removed after the tests. */
  readonly dirs: string[];
  /** A mailer on the current ledger (no SMTP and no outbox unless given), closed after the tests. */
  newMailer(options?: MailerOverrides): Mailer;
  /** A folder of templates written from `files` (name → content), removed after the tests. */
  templates(files: Record<string, string>): string;
}

/** Registers the hooks in the calling `describe`; the fixture's fields are set before each test. */
export function mailerFixture(): MailerFixture {
  const mailers: Mailer[] = [];
  const dirs: string[] = [];
  const fixture = {
    dirs,
    newMailer(options: MailerOverrides = {}) {
      const made = createMailer({
        from: 'All of Us DURA <dura@aou.test>',
        ...roles,
        links,
        ledger: fixture.ledger,
        outboxDir: '',
        ...options,
      });
      mailers.push(made);
      return made;
    },
    templates(files: Record<string, string>) {
      const dir = mkdtempSync(path.join(tmpdir(), 'dura-tpl-'));
      dirs.push(dir);
      for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
      return dir;
    },
  } as MailerFixture;

  before(async () => {
    fixture.smtp = await startSmtp();
  });
  after(async () => {
    await Promise.all(mailers.map((m) => m.close()));
    await fixture.smtp.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  beforeEach(() => {
    fixture.ledger = new MemoryLedger();
    fixture.mailer = fixture.newMailer({ smtpUrl: fixture.smtp.url });
    fixture.smtp.arrived.length = 0;
    fixture.smtp.rcptAttempts.length = 0;
    fixture.smtp.refuse.clear();
  });
  return fixture;
}
