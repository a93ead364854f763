// The monthly registration report (issue 18, item 2) on the dev server with a real worker, SQLite and an
// SMTP sink, through the CLI as the access team runs it: a report contact set on the registry, two
// researchers' registrations from a real agreement, and the digest's schedule triggered twice. The first
// run of the month sends the report to the contact; the second sends a digest and no report again.
import { strict as assert } from 'node:assert';
import { listRegistrations } from '../activities/records/registrations';
import { saveHistory } from './helpers/agreements';
import { dura as runDura, requestArgs } from './helpers/cli';
import { realEngine } from './helpers/engine';
import { devServerEnv } from './helpers/env';
import { addresses } from './helpers/mail';
import { until } from './helpers/wait';

/** A New York date, YYYY-MM-DD, `days` from today (Intl, independent of the modules under test). */
const newYorkDate = (days = 0) =>
  new Date(Date.now() + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
const MONTH = new Date().toLocaleDateString('en-US', {
  month: 'long',
  year: 'numeric',
  timeZone: 'America/New_York',
});

describe('the monthly registration report, on the dev server', function () {
  const engine = realEngine(devServerEnv, {}, 'sqlite');
  const dura = async (...args: string[]) => {
    const result = await runDura(args, engine.cliEnv);
    assert.equal(result.status, 0, `dura ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const kind = (k: string) => engine.smtp.arrived.filter((a) => a.mail.headers.get('x-dura-kind') === k);

  /** An agreement executed today with these requesters; waits for each one's registration row. */
  async function executedWith(domain: string, ...requesters: string[]) {
    for (const email of requesters) await dura(...requestArgs(domain, email));
    await dura('execute', domain, '--on', newYorkDate());
    await until(
      async () =>
        (await listRegistrations(engine.dura.store.db, { institution: domain })).length === requesters.length,
      30_000,
    );
  }

  it('goes to the report contact once a month, with each researcher’s steps; never to one without', async () => {
    await executedWith('report-u.edu', 'ada@report-u.edu', 'grace@report-u.edu', 'tom@report-u.edu');
    // Tom left: the access team closed his registration, so the report leaves him out.
    await dura('registration', 'close', 'tom@report-u.edu', '--reason', 'left the institution');
    await executedWith('no-contact.edu', 'tom@no-contact.edu');
    const yesterday = newYorkDate(-1);
    for (const step of ['account', 'two-step', 'identity', 'code-of-conduct', 'rcr-training'])
      await dura('registration', 'record', 'ada@report-u.edu', '--step', step, '--on', yesterday);
    await dura('registration', 'record', 'grace@report-u.edu', '--step', 'account', '--on', yesterday);

    const set = await dura('institutions', 'set-report-contact', 'report-u.edu', 'Research@Report-U.edu');
    assert.match(set, /the report contact is now research@report-u\.edu/);
    assert.match(
      await dura('institutions', 'show', 'report-u.edu'),
      /\n {2}report contact: research@report-u\.edu \(the monthly registration report\)/,
    );

    await dura('schedule', 'ensure');
    await dura('schedule', 'trigger');
    await until(() => kind('digest').length === 1 && kind('registration-report').length === 1, 30_000);
    const [{ mail }] = kind('registration-report') as [(typeof engine.smtp.arrived)[number]];
    assert.deepEqual(addresses(mail.to), ['research@report-u.edu']);
    assert.deepEqual(addresses(mail.replyTo), ['access-team@dura.localhost']);
    assert.equal(
      mail.subject,
      `[DURA] Registration report for University of report-u.edu, ${MONTH}: 2 researchers, 1 fully registered`,
    );
    const text = mail.text ?? '';
    // Newest instructions first: both were sent together, so by their registrations' order.
    assert.match(text, /^\d\. Ada Researcher <ada@report-u\.edu>: fully registered \(\w+day, /m);
    assert.match(text, /^\d\. Ada Researcher <grace@report-u\.edu>: 4 steps left$/m);
    const grace = text.slice(text.indexOf('<grace@'));
    assert.match(grace, /\n {3}Researcher Workbench account: \w+day, \w+ \d+, \d{4}\n/);
    assert.match(grace, /\n {3}Responsible Conduct of Research training: not yet\n/);
    assert.doesNotMatch(text, /no-contact\.edu/, 'only its own researchers');
    assert.doesNotMatch(text, /tom@/, 'not one whose registration was closed');
    assert.match(String(mail.html), /<th align="left">identity verification<\/th>/);

    // The second run of the month: a digest, and no report again (the month's key in the ledger).
    await dura('schedule', 'trigger');
    await until(() => kind('digest').length === 2, 30_000);
    const runs = async () => JSON.parse(await dura('schedule', 'show', '--json')).recentRuns;
    await until(
      async () => (await runs()).every((r: { status: string }) => r.status === 'COMPLETED'),
      30_000,
    );
    assert.equal(kind('registration-report').length, 1);
    const sent = await engine.dura.store.emails({ kind: 'registration-report' });
    assert.deepEqual(
      sent.map((e) => [e.state, e.recipients]),
      [['sent', ['research@report-u.edu']]],
    );
    const [first, second] = (await runs()) as { workflowId: string; runId: string }[];
    const result = (id: { workflowId: string; runId: string }) =>
      engine.env.client.workflow.getHandle(id.workflowId, id.runId).result();
    const [a, b] = await Promise.all([result(first!), result(second!)]);
    assert.equal(a.registrationReports.month, newYorkDate().slice(0, 7));
    assert.deepEqual(
      a.registrationReports.reports.map((r: { institution: string; registrations: number }) => [
        r.institution,
        r.registrations,
      ]),
      [['report-u.edu', 2]],
    );
    assert.equal(b.registrationReports.reports[0].messageId, a.registrationReports.reports[0].messageId);
    await saveHistory(engine.env, first!.workflowId, 'digest-registration-reports');
  });

  it('set-report-contact: a bad address or institution named, exit 1; "none" clears it', async () => {
    const bad = await runDura(['institutions', 'set-report-contact', 'report-u.edu', 'nope'], engine.cliEnv);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^dura: .*nope.*not an e-mail address/m);
    const unknown = await runDura(
      ['institutions', 'set-report-contact', 'nowhere.edu', 'a@b.edu'],
      engine.cliEnv,
    );
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /nowhere\.edu/);
    assert.match(
      await dura('institutions', 'set-report-contact', 'report-u.edu', 'none'),
      /cleared the report contact/,
    );
    assert.doesNotMatch(await dura('institutions', 'show', 'report-u.edu'), /report contact/);
  });
});
