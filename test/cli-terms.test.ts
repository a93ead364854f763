// Terms from the CLI (issue 18), as a subprocess on the dev server with a real worker, SQLite and an SMTP
// sink: `DURA_TERM_MONTHS` read where a request starts, `execute --expires-on` refused when garbled or not
// after the signing date (exit 1, the flag named, nothing changed), `dura list --expiring-before`, a
// lapse in the records shown by `dura institutions show` and `dura status`, and `dura renew`. The term's warnings, lapse and renewal on a skipped clock: test/term.test.ts.
import { strict as assert } from 'node:assert';
import { devServerEnv } from './helpers/env';
import { dura as runDura, requestArgs } from './helpers/cli';
import { realEngine } from './helpers/engine';
import { until } from './helpers/wait';

/** A New York date, YYYY-MM-DD, `days` from today (Intl, independent of the modules under test). */
const newYorkDate = (days = 0) =>
  new Date(Date.now() + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'America/New_York' });

describe('dura CLI: terms and renewal, on the dev server', function () {
  const engine = realEngine(devServerEnv, {}, 'sqlite');
  const dura = (...args: string[]) => runDura(args, { ...engine.cliEnv, DURA_TERM_MONTHS: '36' });
  const status = async (id: string) => JSON.parse((await dura('status', id, '--json')).stdout);

  it('execute --expires-on refuses bad dates; list --expiring-before and renew', async () => {
    const started = await dura(...requestArgs('cli-term.edu'));
    assert.equal(started.status, 0, started.stderr);
    const id = started.stdout.trim();
    assert.equal((await status(id)).policy.termMonths, 36, 'DURA_TERM_MONTHS, read where it started');

    const today = newYorkDate();
    const execute = (...more: string[]) => dura('execute', id, '--on', today, ...more);
    for (const [typed, problem] of [
      [today, `--expires-on: ${today} is not after the signing date (--on ${today})`],
      ['2027-02-30', '--expires-on: '],
      ['next spring', '--expires-on: '],
      // A year typo: a century's term.
      [
        `${Number(today.slice(0, 4)) + 100}${today.slice(4)}`,
        'is more than 10 years after the signing date (--on ',
      ],
    ] as const) {
      const refused = await execute('--expires-on', typed);
      assert.equal(refused.status, 1, `${typed}: ${refused.stderr}`);
      assert.ok(refused.stderr.includes(problem), `${typed}: ${refused.stderr}`);
      assert.equal(refused.stdout, '');
    }
    // Both flags wrong: both named at once.
    const both = await dura('execute', id, '--on', newYorkDate(3), '--expires-on', 'soon');
    assert.equal(both.status, 1);
    assert.match(both.stderr, /--on: .*\n.*--expires-on: /s);
    const untouched = await status(id);
    assert.equal(untouched.executedAt, null, 'nothing changed');
    assert.equal(untouched.expiresOn, null);

    // A week's term: it would lapse before its last warning (15 days ahead) could go. Refused, unsent.
    const short = await execute('--expires-on', newYorkDate(7));
    assert.equal(short.status, 1, short.stderr);
    assert.equal(
      short.stderr,
      `dura: --expires-on: ${newYorkDate(7)} is 7 days after the signing date (--on ${today}): the agreement ` +
        'would lapse with no warning (the last goes 15 days before its end); if the date is mistyped, type it ' +
        'again; nothing was sent\n',
    );
    assert.equal((await status(id)).executedAt, null, 'nothing changed');

    // Not executed yet: nothing to renew, said so (not "renew when it ends", which a cancel would not).
    const early = await dura('renew', id);
    assert.deepEqual(
      [early.status, early.stderr],
      [
        1,
        `dura: cli-term.edu has an agreement in process (${id}, awaiting-signature), not executed: there is ` +
          `nothing to renew; once it is signed, record it with \`dura execute ${id}\`\n`,
      ],
    );

    const expiresOn = newYorkDate(400);
    const executed = await execute('--expires-on', expiresOn);
    assert.equal(executed.status, 0, executed.stderr);
    await until(async () => (await status(id)).stage === 'completed', 30_000);
    assert.equal((await status(id)).expiresOn, expiresOn);

    // The term workflow is listed once visibility has it; not when its end date is later than asked.
    const listed = async (before: string) =>
      JSON.parse((await dura('list', '--expiring-before', before, '--json')).stdout) as {
        agreementId: string;
        stage: string;
        expiresOn?: string;
      }[];
    let rows: Awaited<ReturnType<typeof listed>> = [];
    await until(
      async () => (rows = await listed(newYorkDate(500))).some((r) => r.agreementId === id),
      30_000,
    );
    assert.equal(rows.find((r) => r.agreementId === id)!.expiresOn, expiresOn);
    assert.equal(rows.find((r) => r.agreementId === id)!.stage, 'completed', 'a term in force: completed');
    assert.deepEqual(await listed(newYorkDate(300)), []);
    // On or before: the end date itself is listed, the day before it is not.
    assert.deepEqual(
      (await listed(expiresOn)).map((r) => r.agreementId),
      [id],
    );
    assert.deepEqual(await listed(newYorkDate(399)), []);
    const byTier = async (tier: string) =>
      JSON.parse((await dura('list', '--expiring-before', expiresOn, '--tier', tier, '--json')).stdout);
    assert.equal((await byTier('registered')).length, 1);
    assert.deepEqual(await byTier('controlled'), []);
    // The table: the columns a term has (a trial saw three always empty).
    const text = await dura('list', '--expiring-before', expiresOn);
    assert.deepEqual(
      text.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(/\s{2,}/)),
      [
        ['AGREEMENT', 'STAGE', 'TIERS', 'ENDS'],
        [id, 'completed', 'registered', expiresOn],
      ],
    );
    const combined = await dura('list', '--expiring-before', expiresOn, '--stage', 'cancelled');
    assert.equal(combined.status, 1);
    assert.match(combined.stderr, /^dura: --expiring-before: .*not with --stage cancelled\n$/);
    // Plain `dura list` shows the end date too (the agreement's own DuraExpiresOn).
    const all = JSON.parse((await dura('list', '--json')).stdout) as {
      agreementId: string;
      expiresOn?: string;
    }[];
    assert.equal(all.find((r) => r.agreementId === id)?.expiresOn, expiresOn);
    const garbled = await dura('list', '--expiring-before', 'whenever');
    assert.equal(garbled.status, 1);
    assert.match(garbled.stderr, /--expiring-before: /);

    // Its lapse as the term writes it to the records at the end date (activities/records/terms.ts), 400
    // days early: `institutions show` and `status` say so, and the lapsed agreement is renewed.
    const [snapshot] = await engine.dura.store.agreementSnapshots({ domain: 'cli-term.edu' });
    const lapsedOn = newYorkDate(401);
    await engine.dura.store.recordTerm({
      agreementRef: snapshot!.agreement_ref,
      event: { at: new Date().toISOString(), event: 'lapsed', detail: 'test' },
      changes: { stage: 'lapsed', lapsedOn },
      lapse: {
        agreementId: id,
        institution: { name: 'University of cli-term.edu', domain: 'cli-term.edu' },
        tiers: ['registered'],
        lapsedOn,
      },
    });
    const shown = await dura('institutions', 'show', 'cli-term.edu');
    assert.match(
      shown.stdout,
      new RegExp(`registered since .*; lapsed on ${lapsedOn} \\(${id} not renewed\\)`),
    );
    assert.equal((await status(id)).stage, 'lapsed');

    const renewal = await dura('renew', id, '--json');
    assert.equal(renewal.status, 0, renewal.stderr);
    const { renews, workflowId, initiation } = JSON.parse(renewal.stdout);
    assert.equal(renews, id);
    assert.equal(initiation, 'auto');
    await until(async () => (await status(workflowId)).renews === id, 30_000);
    const renewing = await status(workflowId);
    assert.notEqual(renewing.agreementId, id);
    assert.equal(
      JSON.parse(renewal.stdout).agreementId,
      renewing.agreementId,
      'renew names the new agreement',
    );
    assert.equal(renewing.policy.termMonths, 36);
    // The report says which agreements are renewals (their kind is new), as the digest does.
    const reported = JSON.parse((await dura('report', '--json')).stdout) as {
      agreements: { agreementId: string; renews: string | null }[];
    };
    assert.equal(reported.agreements.find((a) => a.agreementId === renewing.agreementId)?.renews, id);
    assert.equal(reported.agreements.find((a) => a.agreementId === id)?.renews, null);
    const again = await dura('renew', id);
    assert.equal(again.status, 1, 'one renewal in process at a time');
    assert.equal(
      again.stderr,
      `dura: ${id} is being renewed: its renewal is in process (${renewing.agreementId}, awaiting-signature)\n`,
    );
    // By the institution, its latest is the renewal in process: named, not "only an executed …".
    const byInstitution = await dura('renew', renewing.institution.domain);
    assert.equal(byInstitution.status, 1);
    assert.equal(
      byInstitution.stderr,
      `dura: cli-term.edu has an agreement in process (${renewing.agreementId}, awaiting-signature), not ` +
        `executed: it is the renewal of ${id}; record its signing with \`dura execute ${renewing.agreementId}\`\n`,
    );

    // A renewal ending before the term it renews (a year mistyped) would cut access short: refused.
    const sooner = await dura(
      'execute',
      renewing.agreementId,
      '--on',
      today,
      '--expires-on',
      newYorkDate(100),
    );
    assert.equal(sooner.status, 1, sooner.stderr);
    assert.equal(
      sooner.stderr,
      `dura: --expires-on: ${newYorkDate(100)} is before the end of the term this renews (${id}, in force until ` +
        `${expiresOn}): the institution's access would end sooner; if the year is mistyped, type it again; ` +
        'nothing was sent\n',
    );
    assert.equal((await status(renewing.agreementId)).executedAt, null, 'nothing changed');

    // The renewal executed: the old term ends as renewed, and plain `dura list` shows it so.
    const executedRenewal = await dura('execute', renewing.agreementId, '--on', newYorkDate());
    assert.equal(executedRenewal.status, 0, executedRenewal.stderr);
    let rowsAll: { agreementId: string; stage: string }[] = [];
    await until(async () => {
      rowsAll = JSON.parse((await dura('list', '--json')).stdout);
      return rowsAll.find((r) => r.agreementId === id)?.stage === 'renewed';
    }, 30_000);
    assert.equal(rowsAll.filter((r) => r.agreementId === id).length, 1, 'one row per agreement');
    const twice = await dura('renew', id);
    assert.equal(twice.status, 1);
    assert.match(
      twice.stderr,
      new RegExp(`^dura: ${id} is already renewed \\(by ${renewing.agreementId}\\): renew the newest`),
    );
    // The institution's agreements name the renewal as one, not as a new agreement.
    const withRenewal = await dura('institutions', 'show', 'cli-term.edu');
    assert.match(withRenewal.stdout, new RegExp(`${renewing.agreementId} +renewal of ${id} `));
    const shownJson = JSON.parse((await dura('institutions', 'show', 'cli-term.edu', '--json')).stdout);
    const shownRows = shownJson.agreements as { agreementId: string; renews: string | null }[];
    assert.equal(shownRows.find((r) => r.agreementId === renewing.agreementId)?.renews, id);
    assert.equal(shownRows.find((r) => r.agreementId === id)?.renews, null);
  });

  it('renew of an agreement initiated by hand says the renewal waits for `dura initiate`', async () => {
    const domain = 'cli-manual-term.edu';
    const started = await dura(...requestArgs(domain), '--initiation', 'manual');
    assert.equal(started.status, 0, started.stderr);
    const id = started.stdout.trim();
    assert.equal((await dura('initiate', id)).status, 0);
    assert.equal((await dura('execute', id, '--on', newYorkDate())).status, 0);
    await until(async () => (await status(id)).stage === 'completed', 30_000);

    const renewal = await dura('renew', id);
    assert.equal(renewal.status, 0, renewal.stderr);
    const renewalId = `${domain}-2`;
    assert.match(
      renewal.stdout,
      new RegExp(
        `^renewal of ${id} started as ${renewalId}: .* Its initiation is manual, as ${id}'s was: ` +
          `run \`dura initiate ${renewalId}\` to send the package to the signing official`,
      ),
    );
    assert.equal((await status(renewalId)).stage, 'awaiting-initiation', 'it does wait');
    // The old agreement names its renewal in process (a trial saw nothing of it there).
    const seen = async () => (await dura('status', id)).stdout;
    assert.match(await seen(), new RegExp(`^ +Renewal +${renewalId} \\(awaiting-initiation\\)$`, 'm'));

    // No term: nothing marks it renewed, yet it is renewed once (a trial renewed one agreement twice).
    assert.equal((await dura('initiate', renewalId)).status, 0);
    assert.equal((await dura('execute', renewalId, '--on', newYorkDate())).status, 0);
    await until(async () => (await status(renewalId)).stage === 'completed', 30_000);
    // Its term ended as renewed, and says by which: no second line for it.
    assert.match(await seen(), new RegExp(`^ +In force until +.* \\(renewed by ${renewalId}\\)$`, 'm'));
    assert.doesNotMatch(await seen(), /^ +Renewed by /m);
    const twice = await dura('renew', id);
    assert.deepEqual(
      [twice.status, twice.stderr],
      [1, `dura: ${id} is already renewed (by ${renewalId}): renew the newest agreement\n`],
    );
  });

  it('an agreement with no end date names the renewal that replaced it', async () => {
    const plain = (...args: string[]) => runDura(args, engine.cliEnv); // no DURA_TERM_MONTHS: no term
    const domain = 'cli-no-term.edu';
    // None yet: worded as `dura status` words it.
    const none = await plain('renew', `${domain}-7`);
    assert.deepEqual([none.status, none.stderr], [1, `dura: no agreement ${domain}-7\n`]);
    const id = (await plain(...requestArgs(domain))).stdout.trim();
    // Started without a term, executed where DURA_TERM_MONTHS is set: refused, the date it would give named.
    const termed = await dura('execute', id, '--on', '2026-01-31');
    assert.equal(termed.status, 1, termed.stderr);
    assert.match(
      termed.stderr,
      new RegExp(
        `^dura: --expires-on: DURA_TERM_MONTHS=36 is set here, but ${id} started without a term .*\\(--expires-on 2029-01-31 is 36 months from --on 2026-01-31\\).*; nothing was sent$`,
        'm',
      ),
    );
    assert.equal((await status(id)).stage, 'awaiting-signature', 'nothing was sent');
    assert.equal((await plain('execute', id, '--on', newYorkDate())).status, 0);
    await until(async () => (await status(id)).stage === 'completed', 30_000);
    assert.equal((await status(id)).expiresOn, null, 'no end date');
    const renewalId = `${domain}-2`;
    assert.equal((await plain('renew', id)).status, 0);
    const shown = async () => (await plain('status', id)).stdout;
    await until(async () => /^ +Renewal +/m.test(await shown()), 30_000);
    assert.match(await shown(), new RegExp(`^ +Renewal +${renewalId} \\(awaiting-signature\\)$`, 'm'));
    assert.equal((await plain('execute', renewalId, '--on', newYorkDate())).status, 0);
    await until(async () => (await status(renewalId)).stage === 'completed', 30_000);
    // No term ends as renewed: its status says so itself (a trial read it as current).
    assert.match(await shown(), new RegExp(`^ +Renewed by +${renewalId} \\(completed\\)$`, 'm'));
    assert.deepEqual((await status(id)).renewal, { agreementId: renewalId, stage: 'completed' });
  });
});
