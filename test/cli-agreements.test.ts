// The `dura` CLI as a subprocess against the CLI dev server, a real worker, SQLite and an SMTP sink.
import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { temporalCliPath } from '../scripts/tools';
import { devServerEnv } from './helpers/env';
import { dura as runDura, requestArgs } from './helpers/cli';
import { realEngine, TEST_DATABASES } from './helpers/engine';
import { addresses } from './helpers/mail';
import { until } from './helpers/wait';

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
      assert.match(started.stderr, /^started \(awaiting-initiation\)/);

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

      const today = new Date().toISOString().slice(0, 10);
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
      const status = JSON.parse((await dura('status', 'cli-two.edu', '--json')).stdout);
      assert.deepEqual(
        status.requesters.map((r: { email: string }) => r.email),
        ['first@cli-two.edu', 'second@cli-two.edu'],
      );
    });

    it('user errors exit 1 with one line naming the field and start nothing', async () => {
      assert.equal((await request('cli-err.edu', 'e@cli-err.edu')).status, 0);
      const cases: [string[], RegExp][] = [
        [['request', '--domain', 'x.edu'], /^dura: institution\.name: /],
        [
          ['request', '--file', path.join(os.tmpdir(), 'dura-no-such-request.json')],
          /^dura: file: cannot read/,
        ],
        [requestWith({ '--domain': 'bad domain' }), /^dura: institution\.domain: /],
        [
          requestWith({ '--domain': 'future.edu', '--received-at': '2999-01-01T00:00:00Z' }),
          /^dura: receivedAt: .* is in the future/,
        ],
        [requestWith({ '--tier': 'gold' }), /^dura: tiers\.0: expected registered or controlled\n/],
        [['request', '--domain', 'x.edu', '--tier', 'registered'], /^dura: institution\.name: required\n/],
        [['execute', 'cli-err.edu', '--on', '2999-01-01'], /^dura: signedOn: 2999-01-01 is in the future\n/],
        [['set-cadence', 'cli-err.edu', '--days', 'soon'], /^dura: days: expected a whole number/],
        [
          ['pause-reminders', 'cli-err.edu', '--until', '11/30/2026'],
          /^dura: until: expected YYYY-MM-DD \(a New York date\) or an ISO-8601 instant .*, got 11\/30\/2026\n$/,
        ],
        [['status', 'nowhere.edu'], /^dura: no agreement for nowhere\.edu\n/],
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

    it('`dura list --stage` lists exactly what the official `temporal workflow list --query` lists', async () => {
      assert.equal((await request('cli-three.edu', 'x@cli-three.edu')).status, 0);
      await until(() => listed().includes('dura-cli-three.edu'));
      const rows = JSON.parse((await dura('list', '--stage', 'awaiting-signature', '--json')).stdout);
      const ours = rows.map((r: { workflowId: string }) => r.workflowId);
      assert.deepEqual([...ours].sort(), [...listed()].sort());
      assert.ok(ours.includes('dura-cli-three.edu'));
      const three = rows.find((r: { workflowId: string }) => r.workflowId === 'dura-cli-three.edu');
      assert.equal(three.agreementId, 'cli-three.edu-1', "the agreement's own id, from its memo");
    });

    it('an unreachable Temporal exits 2', async () => {
      const result = await runDura(['status', 'x.edu'], {
        ...engine.cliEnv,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
      });
      assert.equal(result.status, 2);
      assert.match(result.stderr, /^dura: cannot reach Temporal at 127\.0\.0\.1:1/);
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
