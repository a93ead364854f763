// `dura import`, `dura report` and `dura institutions show` as subprocesses against the dev server,
// a real worker, SQLite and an SMTP sink.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { devServerEnv } from './helpers/env';
import { dura as runDura, duraOnTerminal, duraToFile, requestArgs } from './helpers/cli';
import { realEngine, TEST_DATABASES } from './helpers/engine';
import { until } from './helpers/wait';

const HEADER =
  'institution_name,domain,requester_name,requester_email,official_name,official_email,official_title,tiers,received_at';

const newYorkToday = () => new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
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
        'dura: line 3, requester_email: "not-an-email": not an e-mail address',
        'dura: line 4, tiers: unknown tier "gold": expected registered or controlled',
        'dura: line 5, row: expected 9 fields, found 3',
        // As typed in the file, not as dura stores it.
        `dura: line 6, received_at: 2999-01-01T00:00:00Z is in the future (today is ${newYorkToday()} in New York)`,
      ]);
      assert.match(result.stderr, /nothing requested; 4 problems/);
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
        [
          ['import', path.join(dir, 'nope.csv')],
          /^dura: \/.*nope\.csv: no such file or directory \(ENOENT\)\n$/,
        ],
        [
          ['import', header, '--concurrency', '0'],
          /^dura: --concurrency: expected a whole number from 1 to 64 \(got "0"\)\n$/,
        ],
        [['report', '--since', 'last week'], /^dura: --since: .*last week.*\bYYYY-MM-DD\b.*\n$/],
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
      const initiated = await dura('initiate', 'beta.edu');
      assert.equal(initiated.status, 0, initiated.stderr);
      // `--on` is a New York date, not after today there.
      const today = new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
      const executed = await dura('execute', 'beta.edu', '--on', today);
      assert.equal(executed.status, 0, executed.stderr);
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
      assert.equal(beta.signedOn, today, 'the signing date, beside executedAt (when it was recorded)');
      assert.equal(alpha.signedOn, null);
      assert.equal(alpha.institution, 'Alpha University', 'a spreadsheet reader wants the name');
      assert.equal(summary.initiationDeadlinesMissed, 1);

      const csvOut = await dura('report', '--csv');
      assert.equal(csvOut.status, 0, csvOut.stderr);
      const lines = csvOut.stdout.trim().split('\n');
      assert.equal(lines.length, 4);
      assert.match(
        lines[0]!,
        /^agreementId,domain,kind,stage,tiers,receivedAt,initiatedAt,.*,remindersSent,signedOn,renews,institution$/,
      );
      assert.ok(lines.some((l) => l.startsWith('alpha.edu-1,alpha.edu,new,awaiting-initiation,')));
      assert.ok(lines.some((l) => l.startsWith('alpha.edu-1,') && l.endsWith(',Alpha University')));
      // Into a file (`> report.csv`), the same CSV after a byte-order mark, for Excel; on a pipe, none.
      const file = path.join(os.tmpdir(), `dura-report-${process.pid}.csv`);
      try {
        const saved = await duraToFile(['report', '--csv'], engine.cliEnv, file);
        assert.equal(saved.status, 0, saved.stderr);
        assert.equal(saved.stdout, `\uFEFF${csvOut.stdout}`);
        // --output, as `institutions export` takes it: the same file, and a line saying where it went.
        fs.rmSync(file);
        const written = await dura('report', '--output', file);
        assert.equal(written.status, 0, written.stderr);
        assert.equal(written.stdout, `wrote the report of 3 agreements to ${file} (CSV)\n`);
        assert.equal(fs.readFileSync(file, 'utf8'), `\uFEFF${csvOut.stdout}`);
        const nowhere = await dura('report', '--csv', '--output', path.join(file, 'no', 'such', 'dir.csv'));
        assert.equal(nowhere.status, 1);
        assert.match(nowhere.stderr, /^dura: --output: cannot write .*dir\.csv: /);
        // A workbook's name is refused with the CSV name to use, with any other problem; .json gets JSON.
        const workbook = await dura('report', '--output', 'dura.xlsx', '--since', 'soon');
        assert.equal(workbook.status, 1);
        assert.match(
          workbook.stderr,
          /^dura: --output: dura\.xlsx: dura writes no \.xlsx file; it writes CSV, which Excel opens: --output dura\.csv\ndura: --since: /,
        );
        const json = file.replace(/\.csv$/, '.json');
        assert.equal((await dura('report', '--output', json)).status, 0);
        assert.equal(
          (JSON.parse(fs.readFileSync(json, 'utf8')) as { agreements: unknown[] }).agreements.length,
          3,
        );
        fs.rmSync(json);
      } finally {
        fs.rmSync(file, { force: true });
      }

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
      assert.deepEqual(out.agreements[0].officials, [{ name: 'Pat Official', email: 'pat@beta.edu' }]);
      // The day it was signed (`execute --on`, the test above), not when dura recorded it.
      const signedOn = new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
      assert.equal(out.agreements[0].signedOn, signedOn);
      // Listed by the agreement, not by an import: the officials come from the agreement.
      const beta = await dura('institutions', 'show', 'beta.edu');
      // An address typed for its institution shows the same (a trial: "no institution ada@uw.edu").
      assert.equal((await dura('institutions', 'show', 'Pat@Beta.edu')).stdout, beta.stdout);
      assert.match(beta.stdout, /^AGREEMENT +KIND +STAGE +TIERS +RECEIVED +SIGNED$/m);
      assert.match(
        beta.stdout,
        new RegExp(`^beta\\.edu-1 +new +completed +registered,controlled .* ${signedOn}$`, 'm'),
      );
      assert.match(beta.stdout, /^ {2}signing officials: none on the list$/m);
      assert.match(
        beta.stdout,
        /^ {2}signing officials on its agreements: Pat Official <pat@beta\.edu> \(beta\.edu-1\)$/m,
      );
      const text = await dura('institutions', 'show', 'alpha.edu');
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /alpha\.edu: not on the Registered Institutions list/);
      assert.match(text.stdout, /alpha\.edu-1\s+new\s+awaiting-initiation/);
    });

    it("a column of the spreadsheet's own is named and ignored; a problem names its column as the header does", async () => {
      const file = path.join(dir, 'notes.csv');
      fs.writeFileSync(
        file,
        `${HEADER.replace('received_at', 'Received At')},Notes\n` +
          'Rho University,rho.edu,Rho One,one@rho.edu,Sam Signer,osp@rho.edu,,registered,,call Monday\n' +
          'Rho University,rho.edu,Rho Two,two@rho.edu,Sam Signer,osp@rho.edu,,registered,11/30/2026,\n',
      );
      const refused = await dura('import', file);
      assert.equal(refused.status, 1);
      assert.deepEqual(refused.stderr.trim().split('\n'), [
        `dura: warning: ${file}: column "Notes" not read (the columns read: institution_name, domain, ` +
          'requester_name, requester_email, official_name, official_email, official_title, tiers, received_at)',
        `dura: ${file}: nothing requested; 1 problem:`,
        'dura: line 3, Received At: 11/30/2026 is not a date dura reads (for November 30, 2026 type 2026-11-30); ' +
          'use YYYY-MM-DD (a New York date), a New York time such as 2026-12-25T09:00, or an instant such as 2026-12-25T09:00-05:00',
        'dura: Dates in digits: say which comes first, --dates month-first (US: 3/4/2026 is March 4) or --dates day-first',
      ]);
      const json = await dura('import', file, '--skip-invalid', '--initiation', 'manual', '--json');
      assert.equal(json.status, 0, json.stderr);
      const summary = JSON.parse(json.stdout);
      assert.deepEqual([summary.requested, summary.ignoredColumns], [1, ['Notes']]);
      await dura('cancel', 'rho.edu', '--reason', 'test over');
    });

    it('--dry-run says what each row would do, from the plan the import follows, and requests nothing', async () => {
      const listed = path.join(dir, 'listed.csv');
      fs.writeFileSync(listed, 'domain,name,tiers\ntau.edu,Tau University,registered\n');
      assert.equal((await dura('institutions', 'import', listed)).status, 0);
      const sigma = await dura(
        'import',
        csv('sigma.csv', 'Sigma U,sigma.edu,Si,si@sigma.edu,Sam,osp@sigma.edu,,registered,'),
        '--initiation',
        'manual',
      );
      assert.equal(sigma.status, 0, sigma.stderr);
      const file = csv(
        'dry.csv',
        'Pi U,pi.edu,Pat,pat@pi.edu,Sam,osp@pi.edu,,registered,',
        'Pi U,pi.edu,Poe,poe@gmail.com,Sam,osp@pi.edu,,controlled,',
        'Sigma U,sigma.edu,Sue,sue@sigma.edu,Ray,ray@sigma.edu,,controlled,',
        'Tau University,tau.edu,Ty,ty@tau.edu,Sam,osp@tau.edu,,registered,',
        'Sigma U,sigma.edu,Si,si@sigma.edu,Sam,osp@sigma.edu,,registered,',
      );
      const dry = await dura('import', file, '--dry-run');
      assert.equal(dry.status, 0, dry.stderr);
      assert.deepEqual(dry.stdout.trim().split('\n'), [
        'dry run, nothing requested: 5 requests: 1 would start an agreement, 2 would join one, 1 already requested, 1 listed already',
        '  line 2, pi.edu: starts an agreement',
        '  line 3, pi.edu: joins the agreement line 2 starts',
        '  line 4, sigma.edu: joins sigma.edu-1 (awaiting-initiation)',
        '  line 5, tau.edu: listed already, no agreement needed',
        '  line 6, sigma.edu: already requested (sigma.edu-1)',
        'line 2, pi.edu: warning: tiers: registered asked here; the agreement starts for registered and controlled, as line 3 asks too',
        'line 3, pi.edu: warning: requester_email: poe@gmail.com is not at pi.edu; accepted, and recorded for the access team',
        // What the import itself says after the answer, said before it (join-notes.ts).
        'line 4, sigma.edu: warning: this request names ray@sigma.edu as signing official; sigma.edu-1 keeps ' +
          'osp@sigma.edu (to add them: dura set-official sigma.edu-1 --add --name "Ray" --email ray@sigma.edu)',
        'line 4, sigma.edu: warning: this request adds the Controlled Tier: sigma.edu-1 would be for the ' +
          'Registered Tier and the Controlled Tier',
      ]);
      assert.equal((await dura('status', 'pi.edu')).status, 1, 'nothing requested');
      const json = JSON.parse((await dura('import', file, '--dry-run', '--json')).stdout);
      assert.deepEqual(
        json.rows.map((r: { line: number; does: string; agreementId?: string; joinsLine?: number }) => [
          r.line,
          r.does,
          r.agreementId ?? r.joinsLine ?? null,
        ]),
        [
          [2, 'start', null],
          [3, 'join', 2],
          [4, 'join', 'sigma.edu-1'],
          [5, 'not-needed', null],
          [6, 'already-requested', 'sigma.edu-1'],
        ],
      );
      // A received_at in digits, as Excel exports it: refused with its readings and the flag that says
      // which comes first; read with it.
      const digits = csv('digits.csv', 'Rho U,rho.edu,Ro,ro@rho.edu,Sam,osp@rho.edu,,registered,11/3/2026');
      const unread = await dura('import', digits, '--dry-run');
      assert.equal(unread.status, 1);
      assert.match(
        unread.stderr,
        /line 2, received_at: 11\/3\/2026 is not a date dura reads .*\ndura: Dates in digits: say which comes first, --dates month-first \(US: 3\/4\/2026 is March 4\) or --dates day-first\n$/,
      );
      const read = await dura('import', digits, '--dry-run', '--dates', 'month-first');
      assert.equal(read.status, 0, read.stderr);
      assert.match(read.stdout, /^ {2}line 2, rho\.edu: starts an agreement$/m);
      await dura('cancel', 'sigma.edu', '--reason', 'test over');
    });

    it('a row the list covers, twice in the file and the file imported again: the requester is told once', async () => {
      const listed = path.join(dir, 'listed-upsilon.csv');
      fs.writeFileSync(listed, 'domain,name,tiers\nupsilon.edu,Upsilon University,registered\n');
      assert.equal((await dura('institutions', 'import', listed)).status, 0);
      const row = 'Upsilon U,upsilon.edu,Uma,uma@upsilon.edu,Sam,osp@upsilon.edu,,registered,';
      const file = csv('twice.csv', row, row);
      const told = () =>
        engine.smtp.arrived.filter(
          (a) => a.mail.headers.get('x-dura-kind') === 'not-needed' && a.rcptTo.includes('uma@upsilon.edu'),
        );
      for (const round of [1, 2]) {
        const result = JSON.parse((await dura('import', file, '--json')).stdout);
        assert.deepEqual(
          result.rows.map((r: { outcome: string; warnings?: string[] }) => [
            r.outcome,
            (r.warnings ?? []).some((w) =>
              /^answered already \(.*, the same request that day\): nothing sent again$/.test(w),
            ),
          ]),
          // The second row (and every row of the file imported again) is the first row's answer.
          [
            ['not-needed', round === 2],
            ['not-needed', true],
          ],
          `round ${round}: ${JSON.stringify(result.rows)}`,
        );
      }
      await until(() => told().length === 1);
      await new Promise((resolve) => setTimeout(resolve, 1000)); // a second message would be here
      assert.equal(told().length, 1);
      // Written to the requester in the list's name, not the row's.
      assert.match(told()[0]!.mail.text ?? '', /Upsilon University/);
    });

    it('a requester outside the institution is accepted with the warning `dura request` gives, by row', async () => {
      const file = csv(
        'outside.csv',
        'Gamma U,gamma.edu,Gus Guest,gus@gmail.com,Sam Signer,osp@gamma.edu,,registered,',
      );
      const text = await dura('import', file, '--initiation', 'manual');
      assert.equal(text.status, 0, text.stderr);
      assert.match(
        text.stdout,
        /^line 2, gamma\.edu: warning: requester_email: gus@gmail\.com is not at gamma\.edu; accepted, and recorded for the access team$/m,
      );
      const again = JSON.parse((await dura('import', file, '--json')).stdout);
      assert.deepEqual(
        again.rows.map((r: { outcome: string; warnings?: string[] }) => [r.outcome, r.warnings?.length]),
        [['already-requested', 1]],
      );
      await dura('cancel', 'gamma.edu', '--reason', 'test over');
    });

    it('a row joining under another institution name or official is accepted and says what the agreement keeps', async () => {
      const file = csv(
        'names.csv',
        'Lambda University,lambda.edu,Di One,di@lambda.edu,Sam Signer,osp@lambda.edu,,registered,',
        'Univ. of Lambda,lambda.edu,Dan Two,dan@lambda.edu,Ray Other,ray@lambda.edu,,registered,',
        '  lambda   UNIVERSITY ,lambda.edu,Dee Three,dee@lambda.edu,Sam Signer,osp@lambda.edu,,registered,',
      );
      const text = await dura('import', file, '--initiation', 'manual');
      assert.equal(text.status, 0, text.stderr);
      const warnings = text.stdout.split('\n').filter((l) => l.includes('warning'));
      assert.deepEqual(warnings, [
        'line 3, lambda.edu: warning: this request names ray@lambda.edu as signing official; lambda.edu-1 keeps ' +
          'osp@lambda.edu (to add them: dura set-official lambda.edu-1 --add --name "Ray Other" --email ray@lambda.edu)',
        'line 3, lambda.edu: warning: this request names the institution "Univ. of Lambda"; lambda.edu-1 keeps "Lambda University"',
      ]);
      const lambda = await status('lambda.edu');
      assert.equal(lambda.institution.name, 'Lambda University');
      assert.equal(lambda.requesters.length, 3);
      // A later file's row adding a tier the agreement (not yet initiated) lacks: said, as `request` says it.
      const more = csv(
        'more.csv',
        'Lambda University,lambda.edu,Dot Four,dot@lambda.edu,Sam Signer,osp@lambda.edu,,controlled,',
      );
      const added = await dura('import', more, '--initiation', 'manual');
      assert.equal(added.status, 0, added.stderr);
      assert.deepEqual(
        added.stdout.split('\n').filter((l) => l.includes('warning')),
        [
          'line 2, lambda.edu: warning: this request adds the Controlled Tier: lambda.edu-1 is now for the ' +
            'Registered Tier and the Controlled Tier',
        ],
      );
      // A row received before the agreement was (a mailbox's older request): its deadlines stay the agreement's.
      const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toLocaleDateString('en-CA', {
        timeZone: 'America/New_York',
      });
      const earlier = csv(
        'earlier.csv',
        `Lambda University,lambda.edu,Eve Five,eve@lambda.edu,Sam Signer,osp@lambda.edu,,registered,${tenDaysAgo}`,
      );
      const note =
        /^line 2, lambda\.edu: warning: this request was received \w+day, \w+ \d+, \d{4}; lambda\.edu-1 keeps its own receipt, \w+day, \w+ \d+, \d{4}, \d+:\d{2} [AP]M ET, and its deadlines run from that$/m;
      for (const args of [['--dry-run'], []]) {
        const result = await dura('import', earlier, ...args);
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, note, `import ${args.join(' ')}`);
      }
      assert.equal((await status('lambda.edu')).receivedAt, lambda.receivedAt, 'the receipt is kept');
      await dura('cancel', 'lambda.edu', '--reason', 'test over');
    });

    it('rows for one agreement ask their tiers together; a tier an agreement in process cannot take refuses the file', async () => {
      // A trial: line 2 started the agreement for registered and sent the package; line 3 was then rejected.
      const together = csv(
        'together.csv',
        'Mu University,mu.edu,José Muñoz,jose@mu.edu,Sam Signer,osp@mu.edu,,Registered,2026-11-20',
        'Mu University,mu.edu,Zoë Brontë,zoe@mu.edu,Sam Signer,osp@mu.edu,,registered;controlled,2026-11-18',
      );
      const first = await dura('import', together);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /^ {2}mu\.edu-1: line 2 started, line 3 joined$/m);
      assert.match(
        first.stdout,
        /^line 2, mu\.edu: warning: tiers: registered asked here; the agreement starts for registered and controlled, as line 3 asks too$/m,
      );
      // And the earliest receipt: initiation is due two business days after the first request.
      assert.match(
        first.stdout,
        /^line 2, mu\.edu: warning: received_at: the agreement starts as received Wednesday, November 18, 2026, when line 3 was, the earliest of its rows: initiation is due two business days after it$/m,
      );
      const mu = await status('mu.edu');
      assert.deepEqual(mu.tiers, ['registered', 'controlled']);
      assert.equal(mu.receivedAt, '2026-11-18T05:00:00.000Z');

      // nu.edu's agreement goes to its official for the Registered Tier alone; then a file asks for more.
      const nu = await dura(
        'import',
        csv('nu.csv', 'Nu U,nu.edu,Ann,ann@nu.edu,Sam,osp@nu.edu,,registered,'),
      );
      assert.equal(nu.status, 0, nu.stderr);
      await until(async () => (await status('nu.edu')).initiatedAt !== null);
      const more = csv(
        'more.csv',
        'Nu U,nu.edu,Bea,bea@nu.edu,Sam,osp@nu.edu,,controlled,',
        'Xi U,xi.edu,Cy,cy@xi.edu,Sam,osp@xi.edu,,registered,',
        'Omicron U,omicron.edu,Ola,ola@omicron,Sam,osp@omicron.edu,,registered,',
        'Independent,gmail.com,Gus,gus@gmail.com,Gus,gus@gmail.com,,registered,',
      );
      // Every problem at once, the file's own and the tier the agreement cannot take, in line order.
      const refused = await dura('import', more);
      assert.equal(refused.status, 1);
      assert.match(
        refused.stderr,
        /more\.csv: nothing requested; 3 problems:\ndura: line 2, tiers: an agreement for nu\.edu is already in process \(nu\.edu-1, with the signing official for signature\): .*\ndura: line 4, requester_email: "ola@omicron": not an e-mail address\ndura: line 5, domain: gmail\.com is a personal e-mail provider's, not an institution's: .*\n$/,
      );
      assert.equal((await dura('status', 'xi.edu')).status, 1, 'xi.edu was not requested');
      // Named as the header spells the column, as the file's own problems are (a trial's "Domain").
      const titled = path.join(dir, 'titled.csv');
      fs.writeFileSync(
        titled,
        `${HEADER.split(',')
          .map((c) =>
            c.replace(/(^|_)(\w)/g, (_m, sep: string, ch: string) => `${sep ? ' ' : ''}${ch.toUpperCase()}`),
          )
          .join(',')}\nIndependent,gmail.com,Gus,gus@gmail.com,Gus,gus@gmail.com,,registered,\n`,
      );
      assert.match(
        (await dura('import', titled)).stderr,
        /^dura: line 2, Domain: gmail\.com is a personal e-mail provider's/m,
      );
      const skipping = await dura('import', more, '--skip-invalid');
      assert.equal(skipping.status, 0, skipping.stderr);
      assert.match(skipping.stdout, /^1 request, 1 agreement: 1 started; 3 rows skipped$/m);
      assert.match(skipping.stdout, /^skipped line 2, tiers: an agreement for nu\.edu/m);
      assert.deepEqual(
        (await status('nu.edu')).requesters.map((r: { email: string }) => r.email),
        ['ann@nu.edu'],
      );
      // A requester writing from a personal address is asked about as at the institution: the same tier
      // refusal, before anything is requested (a trial's max@gmail.com passed every check, and the file
      // was imported in half).
      const outsider = await dura(
        'import',
        csv(
          'outsider.csv',
          'Nu U,nu.edu,Max,max@gmail.com,Sam,osp@nu.edu,,controlled,',
          'Rho U,rho-out.edu,Al,al@rho-out.edu,Sam,osp@rho-out.edu,,registered,',
        ),
      );
      assert.equal(outsider.status, 1, outsider.stdout);
      assert.match(
        outsider.stderr,
        /outsider\.csv: nothing requested; 1 problem:\ndura: line 2, tiers: an agreement for nu\.edu is already in process /,
      );
      assert.equal((await dura('status', 'rho-out.edu')).status, 1, 'rho-out.edu was not requested');
      // And `dura request`, the same refusal, by its flag (not the agreement's raw answer).
      const asked = requestArgs('nu.edu', 'max@gmail.com').map((a) =>
        a === 'registered' ? 'controlled' : a,
      );
      const one = await dura(...asked);
      assert.equal(one.status, 1, one.stdout);
      assert.match(one.stderr, /^dura: --tier: an agreement for nu\.edu is already in process /m);
      // Joined once from her own address, the same row again is already requested, dry run and all.
      const joinsOut = csv('joins-out.csv', 'Nu U,nu.edu,Gus,gus.g@gmail.com,Sam,osp@nu.edu,,registered,');
      assert.equal((await dura('import', joinsOut)).status, 0);
      const dry = await dura('import', joinsOut, '--dry-run');
      assert.equal(dry.status, 0, dry.stderr);
      assert.match(dry.stdout, /^ {2}line 2, nu\.edu: already requested \(nu\.edu-1\)$/m);
      for (const domain of ['mu.edu', 'nu.edu', 'xi.edu'])
        await dura('cancel', domain, '--reason', 'test over');
    });

    it('on a terminal, import shows its progress on one line', async () => {
      const rows = Array.from(
        { length: 3 },
        (_, i) => `Term ${i},term${i}.edu,Al,al@term${i}.edu,Sam,s@term${i}.edu,,registered,`,
      );
      const result = await duraOnTerminal(['import', csv('terminal.csv', ...rows)], engine.cliEnv);
      assert.equal(result.status, 0, result.stdout);
      assert.match(result.stdout, /\rdura: 3\/3 requested\r?\n/);
      assert.match(result.stdout, /3 requests, 3 agreements: 3 started/);
      // Each agreement by its id, with the line that started it.
      for (const i of [0, 1, 2])
        assert.match(result.stdout, new RegExp(`^ {2}term${i}\\.edu-1: line ${i + 2} started\r?$`, 'm'));
    });

    // The files in test/fixtures/csv, as Excel saves them (their bytes are described in its README).
    const fixture = (name: string) => path.join(__dirname, 'fixtures', 'csv', name);

    it('imports what spreadsheets save: Windows-1252, UTF-8 with a BOM, Unicode text, empty columns, tiers in any case', async () => {
      for (const [name, requested] of [
        ['requests-windows-1252.csv', 1],
        ['requests-utf8-bom.csv', 1],
        ['requests-unicode-text.txt', 1],
        ['requests-trailing-columns.csv', 3],
      ] as const) {
        const result = await dura('import', fixture(name), '--initiation', 'manual', '--json');
        assert.equal(result.status, 0, `${name}: ${result.stderr}`);
        assert.equal(JSON.parse(result.stdout).requested, requested, name);
      }
      const uzh = await status('uzh.ch');
      assert.equal(uzh.institution.name, 'Universität Zürich');
      assert.deepEqual(
        uzh.requesters.map((r: { name: string }) => r.name),
        ['José Müller'],
      );
      assert.deepEqual(uzh.signingOfficial, {
        name: 'Zoë Côté',
        email: 'osp@uzh.ch',
        title: 'Directrice – Recherche',
      });
      const shown = await dura('status', 'uzh.ch');
      assert.match(shown.stdout, /Universität Zürich/);
      assert.match(shown.stdout, /José Müller <jose\.mueller@uzh\.ch>/);
      assert.doesNotMatch(shown.stdout, /\uFFFD/);

      const montreal = await status('umontreal.ca');
      assert.equal(montreal.institution.name, 'Université de Montréal');
      assert.equal(montreal.requesters[0].name, 'Renée Lévesque');
      assert.deepEqual(montreal.tiers, ['registered', 'controlled']);
      const tokyo = await status('u-tokyo.ac.jp');
      assert.equal(tokyo.institution.name, '東京大学 (University of Tokyo)');
      assert.equal(tokyo.requesters[0].name, 'Łukasz Wiśniewski');
      assert.equal(tokyo.signingOfficial.name, 'Søren Ørsted');

      // `Registered`, `CONTROLLED`, ` registered `; the second gamma.edu row joined the first.
      const gamma = await status('gamma.edu');
      assert.deepEqual(gamma.tiers, ['registered']);
      assert.deepEqual(
        gamma.requesters.map((r: { email: string }) => r.email),
        ['gil@gamma.edu', 'gus@gamma.edu'],
      );
      // The Controlled Tier includes the Registered Tier: the agreement is for both.
      assert.deepEqual((await status('delta.edu')).tiers, ['registered', 'controlled']);
    });

    it('a name Excel saved with ? for a letter (?ukasz) is warned of by column; the corrected file says what the agreement keeps', async () => {
      const garbled = csv(
        'lost-letter.csv',
        'Lodz U,lodz.edu,Ola,ola@lodz.edu,?ukasz Nowak,osp@lodz.edu,,registered,',
      );
      const first = await dura('import', garbled, '--initiation', 'manual');
      assert.equal(first.status, 0, first.stderr);
      assert.match(
        first.stdout,
        /^line 2, lodz\.edu: warning: official_name: "\?ukasz Nowak" has a "\?" where a letter or sign may have been lost /m,
      );
      const fixed = csv(
        'found-letter.csv',
        'Lodz U,lodz.edu,Ola,ola@lodz.edu,Łukasz Nowak,osp@lodz.edu,,registered,',
      );
      const dry = await dura('import', fixed, '--dry-run');
      assert.equal(dry.status, 0, dry.stderr);
      assert.ok(
        dry.stdout.includes(
          'line 2, lodz.edu: warning: this request names the signing official osp@lodz.edu "Łukasz Nowak"; ' +
            'lodz.edu-1 keeps "?ukasz Nowak" (to take this name: dura set-official lodz.edu-1 --name "Łukasz Nowak" --email osp@lodz.edu)',
        ),
        dry.stdout,
      );
      await dura('cancel', 'lodz.edu', '--reason', 'test over');
    });

    it("a personal provider's domain is refused with the row's other problems, all at once", async () => {
      const file = csv(
        'provider-and-more.csv',
        'Kent U,hotmail.co.uk,Bo,bo@kent.edu,,osp@kent.edu,,registered,',
        'Kent U,kent.edu,Bea,bea@kent.edu,Sam,osp@kent.edu,,registered,',
      );
      const refused = await dura('import', file);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /^dura: line 2, official_name: required$/m);
      assert.match(refused.stderr, /^dura: line 2, domain: hotmail\.co\.uk is a personal e-mail provider's/m);
      assert.doesNotMatch(refused.stderr, /line 3/);
      assert.equal((await dura('status', 'kent.edu')).status, 1, 'nothing requested');
    });

    it('a file with problems lists each by line and column, counting CRLF inside quotes, and requests nothing', async () => {
      const refused = await dura('import', fixture('requests-problems.csv'));
      assert.equal(refused.status, 1);
      const lines = refused.stderr.trim().split('\n');
      assert.match(lines[0]!, /requests-problems\.csv: nothing requested; 6 problems:$/);
      assert.deepEqual(lines.slice(1, 5), [
        'dura: line 2, official_email: required',
        'dura: line 3, domain: "theta": expected an e-mail domain such as uw.edu',
        'dura: line 3, official_name: required',
        'dura: line 3, tiers: unknown tier "gold": expected registered or controlled',
      ]);
      assert.match(lines[5]!, /^dura: line 4, received_at: /);
      assert.equal(
        lines[6],
        'dura: line 5, row: expected 9 fields, found 10 (quote a value that contains a comma)',
      );

      const quoted = await dura('import', fixture('requests-crlf-quoted.csv'));
      assert.equal(quoted.status, 1);
      assert.deepEqual(quoted.stderr.trim().split('\n').slice(1), [
        'dura: line 2, official_title: must be one line',
        'dura: line 5, requester_email: "not-an-email": not an e-mail address',
      ]);
      for (const domain of ['eta.edu', 'epsilon.edu'])
        assert.equal((await dura('status', domain)).status, 1, `${domain} was not requested`);
    });
  });
