// The `dura` CLI as a subprocess against the CLI dev server, a real worker, SQLite and an SMTP sink.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { DateTime } from 'luxon';
import { recordPayloadEncryption } from '../activities/records/engine-settings';
import { temporalCliPath } from '../scripts/tools';
import { devServerEnv } from './helpers/env';
import { dura as runDura, requestArgs } from './helpers/cli';
import { realEngine, TEST_DATABASES } from './helpers/engine';
import { addresses } from './helpers/mail';
import { until } from './helpers/wait';

/** A New York date, YYYY-MM-DD (Intl, independent of the module under test). */
const newYorkDate = (at = new Date()) => at.toLocaleDateString('en-CA', { timeZone: 'America/New_York' });

for (const database of TEST_DATABASES)
  describe(`dura CLI on the dev server, records on ${database}`, function () {
    const engine = realEngine(devServerEnv, {}, database);
    const dura = (...args: string[]) => runDura(args, engine.cliEnv);
    const request = (domain: string, requester: string, ...extra: string[]) =>
      dura(...requestArgs(domain, requester, ...extra));

    /** A complete, valid request's flags, with some replaced. */
    const requestWith = (changes: Record<string, string>) =>
      Object.entries({
        '--institution-name': 'X',
        '--domain': 'x.edu',
        '--requester-name': 'A',
        '--requester-email': 'a@x.edu',
        '--official-name': 'S',
        '--official-email': 's@x.edu',
        '--tier': 'registered',
        ...changes,
      }).reduce<string[]>((args, [flag, value]) => [...args, flag, value], ['request']);

    it('request → status (contract fields) → execute → the instructions arrive', async () => {
      const started = await request('cli-one.edu', 'ada@cli-one.edu');
      assert.equal(started.status, 0, started.stderr);
      assert.equal(started.stdout.trim(), 'cli-one.edu-1', "the institution's first agreement");
      assert.match(
        started.stderr,
        /^started \(awaiting-initiation\): the initiation package is on its way to the signing official$/m,
      );

      const status = JSON.parse((await dura('status', 'cli-one.edu', '--json')).stdout);
      for (const field of [
        'agreementId',
        'institution',
        'stage',
        'tiers',
        'requesters',
        'signingOfficial',
        'receivedAt',
        'initiationDueBy',
        'initiatedAt',
        'remindersSent',
        'nextReminderAt',
        'executedAt',
        'instructionsDueBy',
        'instructionsSentAt',
        'history',
      ])
        assert.ok(field in status, `status lacks ${field}`);
      assert.equal(status.institution.domain, 'cli-one.edu');
      assert.deepEqual(status.requesters, [{ name: 'Ada Researcher', email: 'ada@cli-one.edu' }]);
      for (const time of [status.receivedAt, status.initiationDueBy])
        assert.match(time, /^\d{4}-\d\d-\d\dT.*Z$/);
      assert.equal(status.executedAt, null);

      const human = await dura('status', 'dura-cli-one.edu');
      assert.equal(human.status, 0);
      assert.match(human.stdout, /Stage\s+awaiting-(initiation|signature)/);
      assert.match(human.stdout, /History/);

      const today = newYorkDate(); // --on is a New York date, and not after today's
      const executed = await dura(
        'execute',
        'cli-one.edu',
        '--on',
        today,
        '--document',
        'DURA-CLI-1',
        '--json',
      );
      assert.equal(executed.status, 0, executed.stderr);
      // The status object after the change, history included: the update's own answer leaves the
      // history out (patch brief-answers), so the CLI asks for it.
      const after = JSON.parse(executed.stdout);
      assert.equal(after.documentRef, 'DURA-CLI-1');
      assert.ok(
        after.history.some((h: { event: string }) => h.event === 'executed'),
        executed.stdout,
      );
      await until(() =>
        engine.smtp.arrived.some(
          (a) => a.mail.subject?.includes('next steps') && addresses(a.mail.to)[0] === 'ada@cli-one.edu',
        ),
      );
      const final = JSON.parse((await dura('status', 'cli-one.edu', '--json')).stdout);
      assert.equal(final.stage, 'completed');
      assert.equal(final.documentRef, 'DURA-CLI-1');
      // A control sent to the ended agreement says so, not that there is none.
      await until(
        async () =>
          (await engine.env.client.workflow.getHandle('dura-cli-one.edu').describe()).status.name ===
          'COMPLETED',
      );
      const late = await dura('remind-now', 'cli-one.edu');
      assert.equal(late.status, 1);
      const closedOn = new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
      assert.equal(
        late.stderr,
        `dura: cli-one.edu-1 is completed (closed ${closedOn}); remind-now applies to an agreement in process\n`,
      );
    });

    it('a second request for the same domain joins the agreement', async () => {
      assert.equal((await request('cli-two.edu', 'first@cli-two.edu')).status, 0);
      const second = await request('cli-two.edu', 'second@cli-two.edu');
      assert.equal(second.status, 0);
      assert.match(second.stderr, /^joined/);
      const again = await request('cli-two.edu', 'second@cli-two.edu', '--json');
      assert.equal(JSON.parse(again.stdout).outcome, 'already-requested');
      // The Controlled Tier cannot join it once it went to the official: refused on --tier, nothing added.
      await until(async () => JSON.parse((await dura('status', 'cli-two.edu', '--json')).stdout).initiatedAt);
      const later = await request('cli-two.edu', 'third@cli-two.edu', '--tier', 'controlled');
      assert.equal(later.status, 1);
      assert.match(
        later.stderr,
        /^dura: --tier: an agreement for cli-two\.edu is already in process \(cli-two\.edu-1, with the signing official for signature\): a request for the Registered Tier joins it now, and the Controlled Tier can be requested once it is signed \(it is for the Registered Tier only\)\.\n$/,
      );
      const status = JSON.parse((await dura('status', 'cli-two.edu', '--json')).stdout);
      assert.deepEqual(
        status.requesters.map((r: { email: string }) => r.email),
        ['first@cli-two.edu', 'second@cli-two.edu'],
      );
      // Added by the access team from another domain: accepted, and said, as `request` says it.
      const outside = await dura('add-requester', 'cli-two.edu', '--name', 'Gus', '--email', 'Gus@Gmail.com');
      assert.equal(outside.status, 0, outside.stderr);
      assert.equal(outside.stderr, 'dura: warning: gus@gmail.com is not at cli-two.edu\n');
      // Gus is found by his own address, though gmail.com has no agreement: the records know he asked.
      await until(async () => (await dura('status', 'gus@gmail.com', '--json')).status === 0);
      const gus = JSON.parse((await dura('status', 'GUS@gmail.com', '--json')).stdout);
      assert.equal(gus.agreementId, 'cli-two.edu-1');
      assert.equal((await dura('status', 'nobody@gmail.com')).status, 1, 'only a requester finds it');
      const inside = await dura('add-requester', 'cli-two.edu', '--name', 'Al', '--email', 'al@cli-two.edu');
      assert.equal(inside.stderr, '');
      // Again, in another case: nothing to add, and it says so rather than "done".
      const twice = await dura('add-requester', 'cli-two.edu', '--name', 'Al', '--email', 'AL@cli-two.edu');
      assert.equal(twice.status, 0, twice.stderr);
      assert.match(
        twice.stdout,
        /^cli-two\.edu-1: al@cli-two\.edu is already a requester; nothing changed \(stage \S+\)\n$/,
      );
    });

    it('a request that adds a tier to an agreement not yet initiated says so', async () => {
      const first = await request('cli-tier.edu', 'first@cli-tier.edu', '--initiation', 'manual');
      assert.equal(first.status, 0, first.stderr);
      const same = await request('cli-tier.edu', 'second@cli-tier.edu', '--initiation', 'manual');
      assert.equal(same.stderr, 'joined (awaiting-initiation)\n', 'the same tiers: nothing to add');
      const more = await request('cli-tier.edu', 'third@cli-tier.edu', '--tier', 'controlled');
      assert.equal(more.status, 0, more.stderr);
      assert.equal(
        more.stderr,
        'dura: warning: this request adds the Controlled Tier: cli-tier.edu-1 is now for the Registered Tier ' +
          'and the Controlled Tier\njoined (awaiting-initiation)\n',
      );
      const status = JSON.parse((await dura('status', 'cli-tier.edu', '--json')).stdout);
      assert.deepEqual(status.tiers, ['registered', 'controlled']);
    });

    it('user errors exit 1 with one line naming the field and start nothing', async () => {
      assert.equal((await request('cli-err.edu', 'e@cli-err.edu')).status, 0);
      const cases: [string[], RegExp][] = [
        [requestWith({ '--institution-name': ' ' }), /^dura: --institution-name: required\n/],
        [
          ['request', '--file', path.join(os.tmpdir(), 'dura-no-such-request.json')],
          /^dura: --file: cannot read/,
        ],
        [requestWith({ '--domain': 'bad domain' }), /^dura: --domain: /],
        [
          requestWith({ '--domain': 'future.edu', '--received-at': '2999-01-01T00:00:00Z' }),
          /^dura: --received-at: .* is in the future/,
        ],
        [
          requestWith({ '--tier': 'gold' }),
          /^dura: --tier: expected registered or controlled \(got "gold"\)\n/,
        ],
        [
          requestWith({ '--official-email': 'osp@' }),
          /^dura: --official-email: "osp@": not an e-mail address\n/,
        ],
        [
          ['execute', 'cli-err.edu', '--on', '2999-01-01'],
          /^dura: --on: 2999-01-01 is in the future \(today is \d{4}-\d\d-\d\d in New York\)\n/,
        ],
        [['set-cadence', 'cli-err.edu', '--days', 'soon'], /^dura: --days: expected a whole number/],
        [
          ['pause-reminders', 'cli-err.edu', '--until', '12/25/2026'],
          /^dura: --until: 12\/25\/2026 is not a date dura reads \(for December 25, 2026 type 2026-12-25\); use YYYY-MM-DD \(a New York date\), a New York time such as 2026-12-25T09:00, or an instant such as 2026-12-25T09:00-05:00\n$/,
        ],
        [['status', 'nowhere.edu'], /^dura: no agreement for nowhere\.edu\n/],
        // A domain's name without its ending (a trial's `dura status testville`): the domains it finds.
        [['status', 'CLI-ONE'], /^dura: no agreement for cli-one; did you mean cli-one\.edu\?\n/],
        [['status', 'nowhere.edu-3'], /^dura: no agreement nowhere\.edu-3\n/],
        [['remind-now', 'nowhere.edu-3'], /^dura: no agreement nowhere\.edu-3\n/],
      ];
      for (const [args, message] of cases) {
        const result = await dura(...args);
        assert.equal(result.status, 1, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, message);
        assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      }
      assert.equal((await dura('status', 'future.edu')).status, 1, 'a rejected request started nothing');
    });

    it('request and import refuse, sending nothing, when the engine encrypts and this dura has no key', async () => {
      // As a worker started with DURA_ENCRYPTION_KEY_ID=k1 records it (worker/main.ts).
      const db = engine.dura.store.db;
      await recordPayloadEncryption(db, { writes: 'k1', reads: ['k1', 'k0'] });
      try {
        const refused = await request('cli-secret.edu', 'ada@cli-secret.edu');
        assert.deepEqual(
          [refused.status, refused.stderr],
          [
            1,
            'dura: the engine encrypts what it writes to Temporal (key id k1) and this dura has no key: set ' +
              'DURA_ENCRYPTION_KEY and DURA_ENCRYPTION_KEY_ID as the engine has them; nothing was sent\n',
          ],
        );
        const csv = path.join(os.tmpdir(), `dura-secret-${process.pid}.csv`);
        fs.writeFileSync(
          csv,
          'institution_name,domain,requester_name,requester_email,official_name,official_email,tiers\n' +
            'Secret U,cli-secret2.edu,Ada R,ada@cli-secret2.edu,Sam S,osp@cli-secret2.edu,registered\n',
        );
        const imported = await dura('import', csv);
        fs.rmSync(csv);
        assert.equal(imported.status, 1, imported.stderr);
        assert.match(imported.stderr, /key id k1\) and this dura has no key: .*; nothing was requested\n$/);
        // A control too (a trial's remind-now sent the reminder, then exited 2 on the encrypted answer).
        const reminded = await dura('remind-now', 'cli-err.edu', '--force');
        assert.equal(reminded.status, 1, reminded.stderr);
        assert.match(reminded.stderr, /key id k1\) and this dura has no key: .*; nothing was sent\n$/);
        // Nothing reached Temporal: no workflow for either institution.
        for (const domain of ['cli-secret.edu', 'cli-secret2.edu'])
          await assert.rejects(
            engine.env.client.workflow.getHandle(`dura-${domain}`).describe(),
            /not found/i,
          );
      } finally {
        await db.deleteFrom('engine_settings').execute();
      }
      assert.equal((await request('cli-secret.edu', 'ada@cli-secret.edu')).status, 0, 'all well again');
    });

    it('`dura list --stage` lists exactly what the official `temporal workflow list --query` lists', async () => {
      assert.equal((await request('cli-three.edu', 'x@cli-three.edu')).status, 0);
      await until(() => listed().includes('dura-cli-three.edu'));
      const rows = JSON.parse((await dura('list', '--stage', 'awaiting-signature', '--json')).stdout);
      const ours = rows.map((r: { workflowId: string }) => r.workflowId);
      assert.deepEqual([...ours].sort(), [...listed()].sort());
      assert.ok(ours.includes('dura-cli-three.edu'));
      const three = rows.find((r: { workflowId: string }) => r.workflowId === 'dura-cli-three.edu');
      assert.equal(three.agreementId, 'cli-three.edu-1', "the agreement's own id, from its memo");
      // A choice typed in another case (or pasted with a space) is the same choice.
      const typed = await dura('list', '--stage', 'Awaiting-Signature ', '--tier', 'REGISTERED', '--json');
      assert.equal(typed.status, 0, typed.stderr);
      assert.deepEqual(JSON.parse(typed.stdout), rows);
      // The text view: an initiated agreement's initiation deadline is past business, its reminder is not.
      const text = await dura('list', '--stage', 'awaiting-signature');
      const header = text.stdout.split('\n')[0]!;
      const row = text.stdout.split('\n').find((l) => l.startsWith('cli-three.edu-1 '))!;
      const column = (name: string) =>
        row.slice(header.indexOf(name), header.indexOf(name) + name.length).trim();
      assert.equal(column('INITIATION DUE'), '', row);
      assert.notEqual(column('NEXT REMINDER'), '', row);
      // No agreement awaiting signature has an end date: no ENDS column, always empty (a trial).
      assert.doesNotMatch(header, /ENDS/);
      // Nothing to list says so, with what was asked for.
      const none = await dura('list', '--stage', 'lapsed');
      assert.deepEqual([none.status, none.stdout], [0, 'no agreements (--stage lapsed)\n']);
    });

    it('an unreachable Temporal exits 2', async () => {
      const result = await runDura(['status', 'x.edu'], {
        ...engine.cliEnv,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
      });
      assert.equal(result.status, 2);
      assert.match(result.stderr, /^dura: cannot reach Temporal at 127\.0\.0\.1:1/);
    });

    it('with Temporal up and the records unreachable, status by address exits 2 naming the records', async () => {
      const missing = path.join(os.tmpdir(), 'dura-no-such-dir', 'dura.sqlite');
      const result = await runDura(['status', 'emilie@nowhere.edu'], {
        ...engine.cliEnv,
        DATABASE_URL: `sqlite:${missing}`,
      });
      assert.equal(result.status, 2, result.stderr);
      assert.equal(
        result.stderr,
        `dura: cannot reach the records database sqlite:${missing}: no such file: set DURA_DATA_DIR (or DATABASE_URL) ` +
          'as the engine has it, or make a new one with `dura db migrate`\n',
      );
    });

    it('request: all flag problems at once, by flag; --file: receivedAt defaults to now, no request flags beside it', async () => {
      const flags = requestWith({ '--domain': 'cli-flags.edu', '--official-email': 'osp@' });
      flags.splice(flags.indexOf('--institution-name'), 2);
      const both = await dura(...flags);
      assert.equal(both.status, 1);
      assert.equal(
        both.stderr,
        'dura: --institution-name: required\ndura: --official-email: "osp@": not an e-mail address\n',
      );
      const file = path.join(os.tmpdir(), `dura-cli-request-${process.pid}-${database}.json`);
      const domain = `cli-file-${database}.edu`;
      fs.writeFileSync(
        file,
        JSON.stringify({
          institution: { name: 'File College', domain },
          requester: { name: 'Ada Researcher', email: `ada@${domain}` },
          signingOfficial: { name: 'Sam Signer', email: `osp@${domain}` },
          tiers: ['registered'],
        }),
      );
      const beside = await dura('request', '--file', file, '--tier', 'registered');
      assert.equal(beside.status, 1);
      assert.equal(beside.stderr, 'dura: --file and --tier cannot be used together: put tiers in the file\n');
      for (const nothing of ['cli-flags.edu', domain])
        assert.equal(
          (await dura('status', nothing)).status,
          1,
          `${nothing}: a refused request started nothing`,
        );
      const sent = Date.now();
      const filed = await dura('request', '--file', file);
      fs.rmSync(file);
      assert.equal(filed.status, 0, filed.stderr);
      const status = JSON.parse((await dura('status', domain, '--json')).stdout);
      const received = Date.parse(status.receivedAt);
      assert.ok(received >= sent - 1000 && received <= Date.now(), status.receivedAt);
      // A control's flag too, checked as request checks addresses before the update is sent.
      const official = await dura('set-official', domain, '--name', 'Pat Provost', '--email', 'pat@');
      assert.equal(official.status, 1);
      assert.equal(official.stderr, 'dura: --email: "pat@": not an e-mail address\n');
    });

    it('dates: New York dates and times, read back; --on not before the request nor after today', async () => {
      // A New York date is the start of that day there; a time without a zone is New York time, echoed.
      const [dated, timed] = [`cli-date-${database}.edu`, `cli-time-${database}.edu`];
      const byDate = await request(dated, `ada@${dated}`, '--received-at', '2026-11-25');
      assert.equal(byDate.status, 0, byDate.stderr);
      assert.match(
        byDate.stderr,
        /^dura: --received-at 2026-11-25 read as Wednesday, November 25, 2026, 12:00 AM ET \(the start of that day in New York\)\n/,
      );
      const byTime = await request(timed, `ada@${timed}`, '--received-at', '2026-11-25T10:00:00');
      assert.equal(byTime.status, 0, byTime.stderr);
      assert.match(
        byTime.stderr,
        /^dura: --received-at 2026-11-25T10:00:00 read as Wednesday, November 25, 2026, 10:00 AM ET\n/,
      );
      const received = async (domain: string) =>
        JSON.parse((await dura('status', domain, '--json')).stdout).receivedAt as string;
      assert.equal(await received(dated), '2026-11-25T05:00:00.000Z', '--json stays ISO UTC');
      assert.equal(await received(timed), '2026-11-25T15:00:00.000Z');
      const human = await dura('status', timed);
      assert.match(human.stdout, /Received\s+Wednesday, November 25, 2026, 10:00 AM ET\n/);

      // Refused by the CLI, naming the flag: a date before the request's (New York) date, a future one.
      const tomorrow = newYorkDate(new Date(Date.now() + 86_400_000));
      for (const [on, message] of [
        [
          '2026-11-01',
          /^dura: --on: 2026-11-01 is before the request was received \(Wednesday, November 25, 2026\)\n$/,
        ],
        [tomorrow, new RegExp(`^dura: --on: ${tomorrow} is in the future \\(today is .* in New York\\)\n$`)],
        [
          '11/25/2026',
          /^dura: --on: 11\/25\/2026 is not a date dura reads \(for November 25, 2026 type 2026-11-25\); use YYYY-MM-DD \(a New York date\)\n$/,
        ],
      ] as const) {
        const refused = await dura('execute', dated, '--on', on);
        assert.equal(refused.status, 1, refused.stderr);
        assert.match(refused.stderr, message);
      }
      // The workflow's validator refuses it too (an integration sends the update without the CLI).
      await assert.rejects(
        engine.env.client.workflow
          .getHandle(`dura-${dated}`)
          .executeUpdate('execute', { args: [{ signedOn: '2026-11-01' }] }),
        (err: Error & { cause?: Error }) => {
          assert.equal(
            err.cause?.message,
            'signedOn: 2026-11-01 is before the request was received (Wednesday, November 25, 2026)',
          );
          return true;
        },
      );

      // --until: a time without a zone is New York time, echoed; the answer says when the next reminder goes.
      await until(
        async () => JSON.parse((await dura('status', timed, '--json')).stdout).stage === 'awaiting-signature',
      );
      // 200 days on, 10:00 New York: a pause that long is taken, with a warning (more than a year is refused).
      const pauseEnds = DateTime.now()
        .setZone('America/New_York')
        .plus({ days: 200 })
        .set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
      const typed = pauseEnds.toFormat("yyyy-MM-dd'T'HH:mm");
      const words = `${pauseEnds.toFormat('cccc, LLLL d, yyyy')}, 10:00 AM ET`;
      const paused = await dura('pause-reminders', timed, '--until', typed);
      assert.equal(paused.status, 0, paused.stderr);
      const [echoed, warned] = paused.stderr.split(' is ');
      assert.equal(echoed, `dura: --until ${typed} read as ${words}\ndura: warning: --until: ${typed}`);
      assert.match(
        warned!,
        /^(199|200|201) days away: no reminders to the signing official until (.+) \(`dura resume-reminders` ends the pause sooner\)\n$/,
      );
      assert.ok(warned!.includes(`until ${words} (`));
      assert.equal(
        paused.stdout,
        `${timed}-1: pause-reminders done; next reminder ${words}, when the pause ends; ` +
          'stage awaiting-signature\n',
      );
      const status = JSON.parse((await dura('status', timed, '--json')).stdout);
      assert.equal(status.remindersPausedUntil, pauseEnds.toUTC().toISO());
      // The history's details show their instants in New York time too, not raw UTC.
      const history = (await dura('history', timed)).stdout;
      assert.ok(
        history.includes(`reminders-paused: until ${pauseEnds.toFormat('ccc, LLL d, yyyy')}, 10:00 AM ET\n`),
        history,
      );
      assert.doesNotMatch(history, /\d{4}-\d\d-\d\dT\d\d:\d\d/);
      // Resumed, or the cadence changed: the answer says when the next reminder goes.
      const next =
        /^\S+-1: (resume-reminders|set-cadence) done; next reminder \w+day, \w+ \d+, \d{4}, \d+:\d\d [AP]M ET; stage awaiting-signature\n$/;
      assert.match((await dura('resume-reminders', timed)).stdout, next);
      assert.match((await dura('set-cadence', timed, '--days', '7')).stdout, next);
      assert.match(
        (await dura('set-cadence', timed, '--days', '7')).stdout,
        /^\S+-1: reminders already go every 7 days; nothing changed \(stage awaiting-signature\)\n$/,
      );
      // A pause shorter than the cadence keeps the reminder's date: the answer gives both.
      const soon = newYorkDate(new Date(Date.now() + 3 * 24 * 3600_000));
      assert.match(
        (await dura('pause-reminders', timed, '--until', soon)).stdout,
        /pause-reminders done; next reminder \w+day, [^;]+ ET \(paused until \w+day, [^;]+ 9:00 AM ET\); stage awaiting-signature\n$/,
      );
      // Paused again: the new pause replaces the old, and says so.
      const later = newYorkDate(new Date(Date.now() + 4 * 24 * 3600_000));
      const again = await dura('pause-reminders', timed, '--until', later);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stderr, /^dura: the pause until \w+day, [^\n]+ 9:00 AM ET is replaced\n/m);
    });

    it('a request for the Controlled Tier alone is for both tiers, and once signed covers both', async () => {
      const args = requestArgs('cli-ct.edu', 'ada@cli-ct.edu');
      args.splice(args.indexOf('registered'), 1, 'Controlled');
      const started = await dura(...args);
      assert.equal(started.status, 0, started.stderr);
      const status = JSON.parse((await dura('status', 'cli-ct.edu', '--json')).stdout);
      assert.deepEqual(status.tiers, ['registered', 'controlled']);
      const executed = await dura('execute', 'cli-ct.edu', '--on', newYorkDate());
      assert.equal(executed.status, 0, executed.stderr);
      for (const tier of ['registered', 'controlled'])
        await until(async () => {
          const check = await dura('check', 'grace@cli-ct.edu', '--tier', tier, '--json');
          return check.status === 0 && JSON.parse(check.stdout).next === 'create-account';
        });
    });

    function listed(): string[] {
      const out = execFileSync(
        temporalCliPath(),
        [
          'workflow',
          'list',
          '--address',
          engine.env.address,
          '--query',
          "DuraStage='awaiting-signature'",
          '--output',
          'json',
        ],
        { encoding: 'utf8' },
      );
      return (JSON.parse(out || '[]') as { execution: { workflowId: string } }[])
        .map((w) => w.execution.workflowId)
        .sort();
    }
  });
