// Institutions and agreements as the process has them (issue 14): one id per agreement, requests that
// need none, controls on closed agreements, likely parents, outside requesters, several officials and
// individual agreements. The CLI as a subprocess, the dev server, a real worker, the records, SMTP.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { devServerEnv } from './helpers/env';
import { dura as runDura, requestArgs } from './helpers/cli';
import { realEngine, TEST_DATABASES } from './helpers/engine';
import { addresses } from './helpers/mail';
import { until } from './helpers/wait';

const today = () => new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });

for (const database of TEST_DATABASES)
  describe(`institutions and agreements, records on ${database}`, function () {
    const engine = realEngine(devServerEnv, {}, database);
    const dura = (...args: string[]) => runDura(args, engine.cliEnv);
    const ok = async (...args: string[]) => {
      const result = await dura(...args);
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
      return result;
    };
    const request = (domain: string, requester: string, ...extra: string[]) =>
      dura(...requestArgs(domain, requester, ...extra));
    const status = async (typed: string) => JSON.parse((await ok('status', typed, '--json')).stdout);
    const events = async (typed: string) =>
      (await status(typed)).history.map((h: { event: string }) => h.event);
    /** Messages of one kind that arrived for an address. */
    const arrived = (kind: string, to: string) =>
      engine.smtp.arrived.filter(
        ({ mail }) => mail.headers.get('x-dura-kind') === kind && addresses(mail.to).includes(to),
      );

    it('1/4. a request that needs no agreement answers not-needed and never hides the executed one', async () => {
      const first = await request('one.edu', 'ada@one.edu');
      assert.equal(first.status, 0, first.stderr);
      assert.equal(first.stdout.trim(), 'one.edu-1');
      await ok('execute', 'one.edu', '--on', today(), '--document', 'DURA-ONE-1');
      await until(async () => (await status('one.edu-1')).stage === 'completed');

      // Typed under another name (a spreadsheet's): the answer names the institution as the list does.
      const again = await dura(
        ...requestArgs('one.edu', 'grace@one.edu').map((a) =>
          a === 'University of one.edu' ? 'Univ of One' : a === 'osp@one.edu' ? 'dean@one.edu' : a,
        ),
      );
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stderr, /^not-needed$/m);
      assert.match(again.stderr, /one\.edu is already listed for registered: no agreement is needed/);
      await until(() => arrived('not-needed', 'grace@one.edu').length === 1);
      const told = arrived('not-needed', 'grace@one.edu')[0]!.mail.text ?? '';
      assert.match(told, /University of one\.edu/);
      assert.doesNotMatch(told, /Univ of One/);
      // The same request again that day (a file imported twice, a form sent twice): answered, not sent.
      const twice = await request('one.edu', 'grace@one.edu');
      assert.equal(twice.status, 0, twice.stderr);
      assert.match(twice.stderr, /^not-needed$/m);
      assert.match(
        twice.stderr,
        /grace@one\.edu was told to create an account already \(\w+day, \w+ \d+, \d{4}, [^,]+ ET, the same request that day\): not told again$/m,
      );
      assert.equal(twice.stdout, again.stdout, 'the same request id');
      await new Promise((resolve) => setTimeout(resolve, 1000)); // a second message would be here
      assert.equal(arrived('not-needed', 'grace@one.edu').length, 1);

      const shown = await status('one.edu');
      assert.equal(shown.agreementId, 'one.edu-1');
      assert.equal(shown.documentRef, 'DURA-ONE-1');
      assert.deepEqual(await status('ONE.edu'), shown, 'any case');
      assert.equal((await status('dura-one.edu-1')).agreementId, 'one.edu-1', 'with a dura- prefix');
      assert.equal((await status('ada@one.edu')).agreementId, 'one.edu-1', 'by an address');

      // A second agreement, for the Controlled Tier, is the institution's second: its own id.
      const second = await request('one.edu', 'ada@one.edu', '--tier', 'controlled');
      assert.equal(second.stdout.trim(), 'one.edu-2', second.stderr);
      const latest = await status('one.edu');
      assert.equal(latest.agreementId, 'one.edu-2');
      assert.equal(latest.kind, 'amendment');
      assert.deepEqual(
        latest.earlierAgreements.map(
          (e: { agreementId: string; stage: string }) => `${e.agreementId} ${e.stage}`,
        ),
        ['one.edu-1 completed'],
      );
      assert.match(
        (await ok('status', 'one.edu')).stdout,
        /Earlier agreements\s+one\.edu-1: completed when this request came in, /,
      );
      // The earlier one is still reachable by its id, from the records.
      assert.equal((await status('one.edu-1')).documentRef, 'DURA-ONE-1');
      const history = await ok('history', 'one.edu-1');
      assert.match(history.stdout, /executed/);
      const listed = JSON.parse((await ok('list', '--json')).stdout).map(
        (r: { agreementId: string }) => r.agreementId,
      );
      for (const id of ['one.edu-1', 'one.edu-2']) assert.ok(listed.includes(id), `${id} not in ${listed}`);
      assert.ok(!listed.some((id: string) => id === 'dura-one.edu'), 'list shows agreement ids');
      // Grace's covered request is no agreement: listed only when asked for by its stage.
      assert.ok(!listed.some((id: string) => id.startsWith('dura-request-')), `${listed}`);
      const answered = JSON.parse((await ok('list', '--stage', 'not-needed', '--json')).stdout);
      assert.deepEqual(
        answered.map((r: { agreementId: string }) => r.agreementId),
        [again.stdout.trim()],
      );
      // The official Grace typed signed nothing: show names only those of agreements.
      const profile = (await ok('institutions', 'show', 'one.edu')).stdout;
      assert.match(profile, /^University of one\.edu \(one\.edu\)$/m);
      assert.doesNotMatch(profile, /dean@one\.edu/);
    });

    it('2/3/7. controls print the stage after the change; a closed agreement says so; the official hears of it', async () => {
      await ok(...requestArgs('two.edu'));
      await until(async () => (await status('two.edu')).stage === 'awaiting-signature');
      const cancelled = await ok('cancel', 'two.edu', '--reason', 'Requester left');
      assert.equal(cancelled.stdout, 'two.edu-1: cancel done; stage cancelled\n');
      const late = await dura('remind-now', 'two.edu');
      assert.equal(late.status, 1);
      assert.equal(
        late.stderr,
        `dura: two.edu-1 is cancelled (closed ${today()}); remind-now applies to an agreement in process\n`,
      );
      const named = await dura('execute', 'two.edu-1', '--on', today());
      assert.match(named.stderr, /^dura: two\.edu-1 is cancelled \(closed .*\); execute applies/);
      // The official held the package: a short notice that it is closed, without the team's reason
      // (written for the requesters, who have it).
      await until(() => arrived('closed-notice', 'osp@two.edu').length === 1);
      const notice = arrived('closed-notice', 'osp@two.edu')[0]!.mail.text ?? '';
      assert.match(notice, /is now closed: the request was cancelled\./);
      assert.doesNotMatch(notice, /Requester left/);

      await ok(...requestArgs('three.edu'));
      const declined = await ok('decline', 'three.edu', '--reason', 'Institution policy');
      assert.equal(declined.stdout, 'three.edu-1: decline done; stage declined\n');

      // With --json, the status after the end, as `status` then shows it (a trial saw the dates from
      // before the cancel): ended, with its reason, and nothing due.
      await ok(...requestArgs('four.edu'));
      await until(async () => (await status('four.edu')).stage === 'awaiting-signature');
      const ended = JSON.parse((await ok('cancel', 'four.edu', '--reason', 'Duplicate', '--json')).stdout);
      assert.deepEqual(
        [ended.stage, ended.endReason, ended.nextReminderAt, ended.nextStatusUpdateAt, typeof ended.endedAt],
        ['cancelled', 'Duplicate', null, null, 'string'],
      );
      assert.ok(ended.history.some((h: { event: string }) => h.event === 'cancelled'));
    });

    it('4. a subdomain of a listed institution is flagged with its likely parent; add-domain settles it', async () => {
      await engine.dura.store.importInstitutions([
        { domain: 'uw.edu', name: 'University of Washington', tiers: ['registered', 'controlled'] },
      ]);
      const med = await request('med.uw.edu', 'ada@med.uw.edu');
      assert.equal(med.status, 0, med.stderr);
      assert.match(
        med.stderr,
        /warning: med\.uw\.edu is not listed, but uw\.edu \(University of Washington\) is/,
      );
      assert.match(med.stderr, /dura institutions add-domain uw\.edu med\.uw\.edu/);
      // Held for the access team, whatever the policy: uw.edu's own official may be asked to sign again.
      assert.match(
        med.stderr,
        /^started \(awaiting-initiation\): held for you to look at first \(med\.uw\.edu may belong to University of Washington \(uw\.edu\), listed already\); `dura initiate med\.uw\.edu-1` sends the package$/m,
      );
      await until(async () => (await events('med.uw.edu')).includes('initiation-held'));
      assert.ok((await events('med.uw.edu')).includes('likely-parent'));
      const held = await status('med.uw.edu');
      assert.deepEqual(
        [held.stage, held.policy.initiation, held.initiatedAt],
        ['awaiting-initiation', 'manual', null],
      );
      // The requester hears at once that the request is in; the official hears nothing.
      await until(() => arrived('request-received', 'ada@med.uw.edu').length === 1);
      assert.equal(arrived('initiation-package', 'osp@med.uw.edu').length, 0);
      // Added while med.uw.edu's own agreement is in process: it is named, with the command that ends it.
      const added = await ok('institutions', 'add-domain', 'uw.edu', 'med.uw.edu');
      assert.match(
        added.stderr,
        /^dura: warning: med\.uw\.edu-1 \(awaiting-(initiation|signature), registered\) is in process for med\.uw\.edu, whose requests now go to uw\.edu's agreements: if it is no longer needed, dura cancel med\.uw\.edu-1 --reason "…"$/m,
      );
      await ok('cancel', 'med.uw.edu-1', '--reason', 'Belongs to uw.edu');
      const check = JSON.parse(
        (await ok('check', 'ada@med.uw.edu', '--tier', 'controlled', '--json')).stdout,
      );
      assert.equal(check.next, 'create-account');
      const settled = await request('med.uw.edu', 'ada@med.uw.edu');
      assert.match(settled.stderr, /^not-needed/m);
    });

    it('a request soon after the institution declined waits for the access team', async () => {
      const first = await request('declined.edu', 'ada@declined.edu');
      assert.equal(first.status, 0, first.stderr);
      await until(async () => (await status('declined.edu-1')).stage === 'awaiting-signature');
      await ok('decline', 'declined.edu-1', '--reason', 'Not this year');
      const again = await request('declined.edu', 'bo@declined.edu');
      assert.equal(again.status, 0, again.stderr);
      assert.match(
        again.stderr,
        new RegExp(
          `^started \\(awaiting-initiation\\): held for you to look at first \\(declined\\.edu-1 was declined at \\w+day, [^)]+ ET\\); \`dura initiate declined\\.edu-2\` sends the package$`,
          'm',
        ),
      );
      await until(() => arrived('request-received', 'bo@declined.edu').length === 1);
      assert.equal(arrived('initiation-package', 'osp@declined.edu').length, 1, 'only the first package');
      // Sent when the access team says so.
      await ok('initiate', 'declined.edu-2');
      await until(async () => (await status('declined.edu-2')).stage === 'awaiting-signature');
      await until(() => arrived('initiation-package', 'osp@declined.edu').length === 2);
      // Cancelled (a duplicate, say): the decline still holds the next request (a trial's went out).
      await ok('cancel', 'declined.edu-2', '--reason', 'Duplicate');
      const third = await request('declined.edu', 'cy@declined.edu');
      assert.match(
        third.stderr,
        /^started \(awaiting-initiation\): held for you to look at first \(declined\.edu-1 was declined at /m,
      );
    });

    it('5/6. an outside requester is accepted with a warning; a joining request naming another official is recorded', async () => {
      const outside = await request('five.edu', 'someone@gmail.com', '--initiation', 'manual');
      assert.equal(outside.status, 0, outside.stderr);
      assert.match(outside.stderr, /warning: --requester-email: someone@gmail\.com is not at five\.edu/);
      assert.match(
        outside.stderr,
        /^started \(awaiting-initiation\): run `dura initiate five\.edu-1` to send/m,
      );
      const joined = await dura(
        'request',
        ...['--institution-name', 'University of five.edu', '--domain', 'five.edu'],
        ...['--requester-name', 'Bo Chen', '--requester-email', 'bo@five.edu'],
        ...['--official-name', 'Pat Provost', '--official-email', 'provost@five.edu', '--tier', 'registered'],
      );
      assert.match(joined.stderr, /^joined/m);
      // Said at once, not left for the history: the agreement keeps its official.
      assert.match(
        joined.stderr,
        /^dura: warning: this request names provost@five\.edu as signing official; five\.edu-1 keeps \S+@five\.edu \(to add them: dura set-official five\.edu-1 --add --name "Pat Provost" --email provost@five\.edu\)$/m,
      );
      // The same official's name at another address: a corrected typo, so the hint puts it in place.
      const corrected = await dura(
        ...['request', '--institution-name', 'University of five.edu', '--domain', 'five.edu'],
        ...['--requester-name', 'Cy Doe', '--requester-email', 'cy@five.edu'],
        ...[
          '--official-name',
          'Sam Signer',
          '--official-email',
          'sam.signer@five.edu',
          '--tier',
          'registered',
        ],
      );
      assert.match(
        corrected.stderr,
        /^dura: warning: this request names sam\.signer@five\.edu as signing official; five\.edu-1 keeps osp@five\.edu \(if that address was mistyped, put this one in its place: dura set-official five\.edu-1 --name "Sam Signer" --email sam\.signer@five\.edu; to add them beside it: dura set-official five\.edu-1 --add --name "Sam Signer" --email sam\.signer@five\.edu\)$/m,
      );
      await until(async () => (await events('five.edu')).includes('official-named'));
      const shown = await status('five.edu');
      assert.ok(
        shown.history.some(
          (h: { event: string; detail: string }) =>
            h.event === 'requester-outside-domain' && h.detail.includes('someone@gmail.com'),
        ),
      );
      assert.ok(
        shown.history.some(
          (h: { event: string; detail: string }) =>
            h.event === 'official-named' && h.detail.includes('provost@five.edu'),
        ),
      );
      assert.match(
        (await ok('status', 'five.edu')).stdout,
        /official-named: Pat Provost <provost@five\.edu> by bo@five\.edu/,
      );
      assert.deepEqual(
        shown.signingOfficials.map((o: { email: string }) => o.email),
        ['osp@five.edu'],
        'not added unasked',
      );
      await ok('cancel', 'five.edu', '--reason', 'test over');
    });

    it('a request entered after its initiation deadline says so at once on manual initiation, not on auto', async () => {
      const tenDaysAgo = new Date(Date.now() - 10 * 24 * 3600_000).toLocaleDateString('en-CA', {
        timeZone: 'America/New_York',
      });
      const late = await request(
        'late.edu',
        'ada@late.edu',
        '--initiation',
        'manual',
        '--received-at',
        tenDaysAgo,
      );
      assert.equal(late.status, 0, late.stderr);
      assert.match(
        late.stderr,
        /^dura: warning: initiation was due by .+, before this request was entered: late\.edu-1 is overdue from the start and the access team is told \(dura initiate late\.edu-1\)$/m,
      );
      const auto = await request('late-auto.edu', 'ada@late-auto.edu', '--received-at', tenDaysAgo);
      assert.equal(auto.status, 0, auto.stderr);
      assert.doesNotMatch(auto.stderr, /overdue/);
      for (const domain of ['late.edu', 'late-auto.edu']) await ok('cancel', domain, '--reason', 'test over');
    });

    it('6. two officials both receive the package and the reminders; remind-now twice asks for --force', async () => {
      await ok(...requestArgs('six.edu'), '--initiation', 'manual');
      // The one official added again as named: refused, nothing to change.
      const sam = ['--name', 'Sam Signer', '--email', 'osp@six.edu'];
      const twice = await dura('set-official', 'six.edu', '--add', ...sam);
      assert.deepEqual(
        [
          twice.status,
          twice.stderr.includes(
            'Sam Signer <osp@six.edu> is already a signing official of this agreement, as named',
          ),
        ],
        [1, true],
        twice.stderr,
      );
      const added = await ok(
        'set-official',
        'six.edu',
        '--add',
        '--name',
        'Pat Provost',
        '--email',
        'provost@six.edu',
        '--json',
      );
      assert.deepEqual(
        JSON.parse(added.stdout).signingOfficials.map((o: { email: string }) => o.email),
        ['osp@six.edu', 'provost@six.edu'],
      );
      await ok('initiate', 'six.edu');
      // Minutes after the package (or a reminder), a reminder would read as a mistake: it takes --force.
      const refusedWithin = async (what: string) => {
        const refused = await dura('remind-now', 'six.edu');
        assert.deepEqual(
          [refused.status, refused.stderr.replace(/just now|\d+ min ago/, '…')],
          [
            1,
            `dura: remind-now: ${what} went out … (a reminder within a day of it reads as a mistake); add --force to send one anyway\n`,
          ],
        );
      };
      await refusedWithin('the initiation package');
      const reminded = await ok('remind-now', 'six.edu', '--force');
      // The answer says when the next one goes (a trial had to ask `dura status`).
      assert.match(
        reminded.stdout,
        /^six\.edu-1: remind-now done; next reminder \w+day, .* ET; stage awaiting-signature$/m,
      );
      for (const official of ['osp@six.edu', 'provost@six.edu']) {
        await until(() => arrived('reminder', official).length === 1);
        assert.equal(arrived('initiation-package', official).length, 1, official);
      }
      assert.match(arrived('reminder', 'provost@six.edu')[0]!.mail.text ?? '', /^Dear Pat Provost,/m);
      await refusedWithin('the last reminder');
      await ok('remind-now', 'six.edu', '--force');
      await until(() => arrived('reminder', 'provost@six.edu').length === 2);
      // An official added after initiation gets the package at once, never a reminder first.
      const addedLate = await ok(
        'set-official',
        'six.edu',
        '--add',
        '--name',
        'Lee Late',
        '--email',
        'lee@six.edu',
      );
      // Said in the answer (a trial's was silent about the mail it sent).
      assert.match(
        addedLate.stdout,
        /^six\.edu-1: set-official done; the package goes to lee@six\.edu now; stage awaiting-signature$/m,
      );
      await until(() => arrived('initiation-package', 'lee@six.edu').length === 1);
      assert.equal(arrived('reminder', 'lee@six.edu').length, 0);
      assert.match(
        (await ok('status', 'six.edu')).stdout,
        /Signing officials\s+Sam Signer <osp@six\.edu>; Pat Provost <provost@six\.edu>; Lee Late <lee@six\.edu>/,
      );
      // One of several named again with --add (a spelling corrected): that name changes, the others
      // stay, and nobody gets a second package (a trial's correction without --add dropped the others).
      const correctedName = await ok(
        'set-official',
        'six.edu',
        '--add',
        '--name',
        'Lee Later',
        '--email',
        'lee@six.edu',
      );
      assert.doesNotMatch(correctedName.stdout, /the package goes to/, 'a corrected name sends nothing');
      const spelled = JSON.parse((await ok('status', 'six.edu', '--json')).stdout);
      assert.deepEqual(
        spelled.signingOfficials.map((o: { name: string }) => o.name),
        ['Sam Signer', 'Pat Provost', 'Lee Later'],
      );
      assert.match(spelled.history.at(-1).detail, /^lee@six\.edu: name Lee Late → Lee Later$/);
      await new Promise((resolve) => setTimeout(resolve, 1000)); // a package sent wrongly would be here
      assert.equal(arrived('initiation-package', 'lee@six.edu').length, 1);
      // One of them made the only one: they have the package already, and get no second.
      await ok('set-official', 'six.edu', '--name', 'Pat Provost', '--email', 'Provost@six.edu');
      const only = JSON.parse((await ok('status', 'six.edu', '--json')).stdout);
      assert.deepEqual(
        only.signingOfficials.map((o: { email: string }) => o.email),
        ['provost@six.edu'],
      );
      assert.deepEqual(only.history.at(-1), {
        at: only.history.at(-1).at,
        event: 'official-kept',
        detail: 'provost@six.edu: now the only official (was one of 3)',
      });
      // A corrected name is the same official: recorded as such, and no package either.
      await ok('set-official', 'six.edu', '--name', 'Pat Q. Provost', '--email', 'provost@six.edu');
      const corrected = JSON.parse((await ok('status', 'six.edu', '--json')).stdout).history.at(-1);
      assert.equal(corrected.detail, 'provost@six.edu: name Pat Provost → Pat Q. Provost');
      // Named again exactly as recorded: nothing to change, nothing sent.
      const same = ['--name', 'Pat Q. Provost', '--email', 'provost@six.edu'];
      const again = await dura('set-official', 'six.edu', ...same);
      assert.deepEqual(
        [again.status, again.stderr],
        [1, 'dura: --email: Pat Q. Provost <provost@six.edu> is already the signing official, as named\n'],
      );
      await new Promise((resolve) => setTimeout(resolve, 1000)); // a package sent wrongly would be here
      assert.equal(arrived('initiation-package', 'provost@six.edu').length, 1);
      // A title given, then the name corrected without --title: the title stays (said on stderr);
      // --title "" clears it.
      const who = ['--name', 'Pat Provost', '--email', 'provost@six.edu'];
      await ok('set-official', 'six.edu', ...who, '--title', 'Vice Provost');
      const renamed = await ok(
        'set-official',
        'six.edu',
        ...who.slice(0, 1),
        'Patricia Provost',
        ...who.slice(2),
      );
      assert.equal(
        renamed.stderr,
        'dura: provost@six.edu keeps the title Vice Provost (--title "" clears it)\n',
      );
      const kept = JSON.parse((await ok('status', 'six.edu', '--json')).stdout);
      assert.deepEqual(kept.signingOfficial, {
        name: 'Patricia Provost',
        email: 'provost@six.edu',
        title: 'Vice Provost',
      });
      await ok(
        'set-official',
        'six.edu',
        '--name',
        'Patricia Provost',
        '--email',
        'provost@six.edu',
        '--title',
        '',
      );
      const cleared = JSON.parse((await ok('status', 'six.edu', '--json')).stdout);
      assert.deepEqual(cleared.signingOfficial, { name: 'Patricia Provost', email: 'provost@six.edu' });
      await ok('cancel', 'six.edu', '--reason', 'test over');
    });

    it('5. individual agreements: each researcher their own; execution lists the address; a second domain joins', async () => {
      await engine.dura.store.importInstitutions([
        { domain: 'ind.edu', name: 'Individual University', tiers: [] },
      ]);
      await ok('institutions', 'set-rule', 'ind.edu', '--tier', 'registered', '--rule', 'individual');
      await ok('institutions', 'add-domain', 'ind.edu', 'ind-med.edu');
      const ada = await request('ind.edu', 'ada@ind.edu');
      assert.equal(ada.stdout.trim(), 'ada@ind.edu-1', ada.stderr);
      const bo = await request('ind.edu', 'bo@ind.edu');
      assert.equal(bo.stdout.trim(), 'bo@ind.edu-1', bo.stderr);
      // Temporal keeps workflow ids in the clear: no address in them (the agreement id is in the memo).
      const rows = JSON.parse((await ok('list', '--json')).stdout) as {
        agreementId: string;
        workflowId: string;
      }[];
      const bos = rows.find((r) => r.agreementId === 'bo@ind.edu-1');
      assert.match(bos?.workflowId ?? '', /^dura-individual-[0-9a-f]{16}$/);
      assert.ok(
        rows.every((r) => !r.workflowId.includes('@')),
        JSON.stringify(rows),
      );
      await ok('execute', 'ada@ind.edu', '--on', today());
      await until(async () => (await status('ada@ind.edu-1')).stage === 'completed');
      const adaCovered = JSON.parse((await ok('check', 'ada@ind.edu', '--json')).stdout);
      assert.deepEqual(
        adaCovered.tiers.map((t: { because: string }) => t.because),
        ['address'],
      );
      // The list says whom the tier covers: not everyone at ind.edu.
      assert.match(
        (await ok('institutions', 'list')).stdout,
        /^ind\.edu\tIndividual University\tregistered \(individual addresses\)$/m,
      );
      const byDomain = await dura('status', 'ind.edu');
      assert.equal(byDomain.status, 1);
      assert.match(
        byDomain.stderr,
        /^dura: no agreement for ind\.edu; its agreements: ada@ind\.edu-1 \(completed\), bo@ind\.edu-1 \(awaiting-/,
      );
      // Asking again once covered by her own agreement: that agreement, asked already; nothing started or sent.
      const again = await request('ind.edu', 'ada@ind.edu');
      assert.match(again.stderr, /^already-requested \(completed\)$/m, again.stderr);
      assert.equal(again.stdout.trim(), 'ada@ind.edu-1');
      const boCovered = JSON.parse((await ok('check', 'bo@ind.edu', '--json')).stdout);
      assert.equal(boCovered.next, 'submit-request', 'the colleague waits for an agreement of their own');
      assert.match((await status('bo@ind.edu')).stage, /^awaiting-(initiation|signature)$/);

      // A domains institution with two domains: a request from the second joins the agreement in process.
      await engine.dura.store.importInstitutions([
        { domain: 'two-dom.edu', name: 'Two Domains', tiers: ['registered'] },
      ]);
      await ok('institutions', 'add-domain', 'two-dom.edu', 'twodom.org');
      const first = await request('two-dom.edu', 'ada@two-dom.edu', '--tier', 'controlled');
      assert.equal(first.stdout.trim(), 'two-dom.edu-1', first.stderr);
      const second = await request('twodom.org', 'bo@twodom.org', '--tier', 'controlled');
      assert.match(second.stderr, /^joined/m);
      assert.equal(second.stdout.trim(), 'two-dom.edu-1');
      assert.equal((await status('twodom.org')).agreementId, 'two-dom.edu-1');
      for (const id of ['bo@ind.edu', 'two-dom.edu']) await ok('cancel', id, '--reason', 'test over');
    });
    it('internationalized domains and addresses are accepted as typed and kept in ASCII form', async () => {
      const typed = 'universität-zürich.ch';
      const ascii = 'xn--universitt-zrich-3nb94b.ch';
      const started = await request(typed, 'Jose@Universität-Zürich.CH');
      assert.equal(started.status, 0, started.stderr);
      assert.equal(started.stdout.trim(), `${ascii}-1`);
      // Looked up as typed or in ASCII form; mail goes to the ASCII address.
      const shown = await status(typed);
      assert.equal(shown.institution.domain, ascii);
      assert.deepEqual(
        shown.requesters.map((r: { email: string }) => r.email),
        [`jose@${ascii}`],
      );
      assert.equal((await status(`${ascii}-1`)).agreementId, `${ascii}-1`);
      // The package is delivered (smtp-server and mailparser show a punycode address in Unicode again).
      await until(() => arrived('initiation-package', `osp@${typed}`).length === 1);
      await ok('cancel', typed, '--reason', 'test over');
    });

    it('institutions remove takes a mistaken listing off whole; not one an executed agreement made', async () => {
      const file = path.join(os.tmpdir(), `dura-mistake-${process.pid}-${database}.csv`);
      fs.writeFileSync(file, 'domain,name,tiers\noops.edu,Oops College,registered\n');
      const imported = await dura('institutions', 'import', file);
      fs.rmSync(file);
      assert.equal(imported.status, 0, imported.stderr);
      await ok('institutions', 'add-domain', 'oops.edu', 'oops-mail.org');
      assert.match((await ok('check', 'ada@oops-mail.org')).stdout, /Oops College/);
      // An official at another institution's domain: taken, with a warning (a trial's other@harvard.edu).
      const outside = await ok(
        'institutions',
        'add-official',
        'oops.edu',
        '--name',
        'Ola Other',
        '--email',
        'ola@harvard.edu',
      );
      assert.equal(
        outside.stderr,
        "dura: warning: a signing official's address is not at the institution's domains: ola@harvard.edu (oops.edu, oops-mail.org)\n",
      );
      const removed = await ok('institutions', 'remove', 'OOPS-mail.org');
      assert.equal(
        removed.stdout,
        'removed Oops College (oops.edu): domains oops-mail.org, oops.edu; tiers registered; ' +
          '0 listed address(es), 1 official(s)\n',
      );
      assert.doesNotMatch((await dura('check', 'ada@oops-mail.org')).stdout, /Oops College/);
      const again = await dura('institutions', 'remove', 'oops.edu');
      assert.deepEqual(
        [again.status, again.stderr],
        [1, 'dura: oops.edu: no institution with this domain on the Registered Institutions list\n'],
      );

      assert.equal((await request('listed-by.edu', 'ada@listed-by.edu')).status, 0);
      await ok('execute', 'listed-by.edu-1', '--on', today());
      await until(async () => (await dura('check', 'ada@listed-by.edu')).stdout.includes('create-account'));
      const refused = await dura('institutions', 'remove', 'listed-by.edu');
      assert.equal(refused.status, 1);
      assert.equal(
        refused.stderr,
        'dura: listed-by.edu: listed by listed-by.edu-1, an executed agreement: its listing stands until ' +
          'its term lapses or another agreement replaces it\n',
      );
    });
  });
