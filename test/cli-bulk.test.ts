// `dura import`, `dura report` and `dura institutions show` as subprocesses against the dev server,
// a real worker, SQLite and an SMTP sink.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { devServerEnv } from './helpers/env';
import { dura as runDura, duraOnTerminal } from './helpers/cli';
import { realEngine, TEST_DATABASES } from './helpers/engine';
import { until } from './helpers/wait';

const HEADER =
  'institution_name,domain,requester_name,requester_email,official_name,official_email,official_title,tiers,received_at';

for (const database of TEST_DATABASES)
  describe(`dura import, report and institutions show on the dev server, records on ${database}`, function () {
    const engine = realEngine(devServerEnv, {}, database);
    const dura = (...args: string[]) => runDura(args, engine.cliEnv);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-bulk-'))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const csv = (name: string, ...lines: string[]) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, [HEADER, ...lines].join('\n') + '\n');
      return file;
    };
    const status = async (domain: string) => JSON.parse((await dura('status', domain, '--json')).stdout);

    it('imports requests: one agreement per domain, later rows join it in file order', async () => {
      const file = csv(
        'requests.csv',
        'Alpha University,alpha.edu,Ada One,ada@alpha.edu,Sam Signer,osp@alpha.edu,Director,registered,2026-11-02T15:00:00Z',
        '"Beta College, Main Campus",beta.edu,Bo Two,bo@beta.edu,Pat Official,pat@beta.edu,,registered;controlled,',
        'Alpha University,alpha.edu,Cy Three,cy@alpha.edu,Sam Signer,osp@alpha.edu,,registered,2026-11-03T15:00:00Z',
        'Alpha University,alpha.edu,Ada One,ADA@alpha.edu,Sam Signer,osp@alpha.edu,,registered,',
      );
      const result = await dura('import', file, '--initiation', 'manual', '--json');
      assert.equal(result.status, 0, result.stderr);
      const out = JSON.parse(result.stdout);
      assert.equal(out.requested, 4);
      assert.equal(out.agreements, 2);
      assert.deepEqual(
        out.rows.map((r: { line: number; outcome: string }) => [r.line, r.outcome]),
        [
          [2, 'started'],
          [3, 'started'],
          [4, 'joined'],
          [5, 'already-requested'],
        ],
      );
      const alpha = await status('alpha.edu');
      assert.deepEqual(
        alpha.requesters.map((r: { email: string }) => r.email),
        ['ada@alpha.edu', 'cy@alpha.edu'],
      );
      assert.equal(alpha.receivedAt, '2026-11-02T15:00:00.000Z');
      assert.equal(alpha.stage, 'awaiting-initiation');
      const beta = await status('beta.edu');
      assert.equal(beta.institution.name, 'Beta College, Main Campus');
      assert.deepEqual(beta.tiers, ['registered', 'controlled']);
    });

    it('bad rows are reported by line and field, and nothing is requested', async () => {
      const file = csv(
        'bad.csv',
        'Good University,good-bulk.edu,Al,al@good-bulk.edu,Sam,s@good-bulk.edu,,registered,',
        'Bad Mail,badmail.edu,Al,not-an-email,Sam,s@badmail.edu,,registered,',
        'Gold Tier,gold.edu,Al,al@gold.edu,Sam,s@gold.edu,,gold,',
        'Too,few,fields',
        'Future U,future.edu,Al,al@future.edu,Sam,s@future.edu,,registered,2999-01-01T00:00:00Z',
      );
      const result = await dura('import', file);
      assert.equal(result.status, 1);
      assert.deepEqual(result.stderr.trim().split('\n').slice(1), [
        'dura: line 3, requester_email: not an e-mail address',
        'dura: line 4, tiers: expected registered or controlled',
        'dura: line 5, row: expected 9 fields, found 3 (quote a value that contains a comma)',
        'dura: line 6, received_at: 2999-01-01T00:00:00.000Z is in the future',
      ]);
      assert.match(result.stderr, /nothing requested; 4 problem\(s\)/);
      assert.equal((await dura('status', 'good-bulk.edu')).status, 1, 'the good row was not requested');

      const skipping = await dura('import', file, '--skip-invalid', '--json');
      assert.equal(skipping.status, 0, skipping.stderr);
      const out = JSON.parse(skipping.stdout);
      assert.deepEqual(out.outcomes, { started: 1 });
      assert.equal(out.skipped.length, 4);
      await until(async () => (await status('good-bulk.edu')).stage === 'awaiting-signature');
    });

    it('a bad header, a missing file or a bad flag is one clear line and exit 1', async () => {
      const header = path.join(dir, 'header.csv');
      fs.writeFileSync(header, 'domain,name\nuw.edu,UW\n');
      const cases: [string[], RegExp][] = [
        [
          ['import', header],
          /^dura: .*\ndura: line 1, header: missing institution_name, requester_name, .*; unknown "name"/,
        ],
        [['import', path.join(dir, 'nope.csv')], /^dura: file: cannot read .*nope\.csv: ENOENT\n$/],
        [['import', header, '--concurrency', '0'], /^dura: --concurrency: expected a whole number 1-64\n$/],
        [
          ['report', '--since', 'last week'],
          /^dura: --since: expected a date YYYY-MM-DD, got "last week"\n$/,
        ],
        [
          ['institutions', 'show', 'nowhere.edu'],
          /^dura: no institution nowhere\.edu on the list or in the records\n$/,
        ],
      ];
      for (const [args, message] of cases) {
        const result = await dura(...args);
        assert.equal(result.status, 1, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, message);
      }
    });

    it('report: time to initiation and execution, deadlines missed, reminders; --csv', async () => {
      // alpha.edu was received on 2026-11-02 with manual initiation: its initiation deadline has passed.
      assert.equal((await dura('initiate', 'beta.edu')).status, 0);
      const today = new Date().toISOString().slice(0, 10);
      assert.equal((await dura('execute', 'beta.edu', '--on', today)).status, 0);
      await until(async () => (await status('beta.edu')).stage === 'completed');
      // The records are written beside the workflow's clock: wait until they show the last step.
      const report = async () => JSON.parse((await dura('report', '--json')).stdout);
      await until(async () => (await report()).summary.instructionsSent === 1);

      const { summary, agreements } = await report();
      assert.equal(summary.agreements, 3);
      assert.equal(summary.executed, 1);
      assert.equal(summary.initiated, 2);
      const alpha = agreements.find((a: { domain: string }) => a.domain === 'alpha.edu');
      assert.equal(alpha.initiationDeadlineMissed, true);
      assert.equal(alpha.businessDaysToInitiation, null);
      const beta = agreements.find((a: { domain: string }) => a.domain === 'beta.edu');
      assert.equal(beta.initiationDeadlineMissed, false);
      assert.equal(beta.instructionsDeadlineMissed, false);
      assert.equal(beta.businessDaysToInitiation, 0);
      assert.equal(summary.initiationDeadlinesMissed, 1);

      const csvOut = await dura('report', '--csv');
      assert.equal(csvOut.status, 0, csvOut.stderr);
      const lines = csvOut.stdout.trim().split('\n');
      assert.equal(lines.length, 4);
      assert.match(lines[0]!, /^agreementId,domain,kind,stage,tiers,receivedAt,initiatedAt,/);
      assert.ok(lines.some((l) => l.startsWith('alpha.edu-1,alpha.edu,new,awaiting-initiation,')));

      const text = await dura('report', '--since', '2026-11-03');
      assert.equal(text.status, 0, text.stderr);
      assert.doesNotMatch(text.stdout, /alpha\.edu-1/);
      assert.match(text.stdout, /beta\.edu-1/);
    });

    it('institutions show: the tiers an executed agreement listed, and the agreements', async () => {
      const shown = await dura('institutions', 'show', 'beta.edu', '--json');
      assert.equal(shown.status, 0, shown.stderr);
      const out = JSON.parse(shown.stdout);
      assert.deepEqual(
        out.listed.listed.map((l: { tier: string; agreementId: string }) => [l.tier, l.agreementId]),
        [
          ['registered', 'beta.edu-1'],
          ['controlled', 'beta.edu-1'],
        ],
      );
      assert.deepEqual(
        out.agreements.map((a: { agreementId: string; stage: string }) => [a.agreementId, a.stage]),
        [['beta.edu-1', 'completed']],
      );
      const text = await dura('institutions', 'show', 'alpha.edu');
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /alpha\.edu: not on the Registered Institutions list/);
      assert.match(text.stdout, /alpha\.edu-1\s+new\s+awaiting-initiation/);
    });

    it('on a terminal, import shows its progress on one line', async () => {
      const rows = Array.from(
        { length: 3 },
        (_, i) => `Term ${i},term${i}.edu,Al,al@term${i}.edu,Sam,s@term${i}.edu,,registered,`,
      );
      const result = await duraOnTerminal(['import', csv('terminal.csv', ...rows)], engine.cliEnv);
      assert.equal(result.status, 0, result.stdout);
      assert.match(result.stdout, /\rdura: 3\/3 requested\r?\n/);
      assert.match(result.stdout, /3 request\(s\), 3 agreement\(s\): 3 started/);
    });
  });
