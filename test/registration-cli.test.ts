// `dura registration record|import|list` (issue 18) as a subprocess on the dev server with a real worker
// and real SQLite records: a step recorded (and the same again changes nothing), bad flags named as typed
// with nothing started, a CSV import with bad rows refused whole (line and column named, nothing
// recorded), files as spreadsheets save them (Windows-1252, UTF-16), and the list as a table, JSON and CSV,
// by institution and stalled; `dura status` shows each requester's steps once the instructions went out.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import iconv from 'iconv-lite';
import sinon from 'sinon';
import { registrationsFor } from '../activities/records/registrations';
import type { AgreementStatus } from '../common/agreement';
import { noStepsDone } from '../common/registration';
import { newYorkDate } from '../common/when';
import { registrationsSection } from '../client/registration-views';
import { withRegistrations } from '../client/status-registrations';
import { dura } from './helpers/cli';
import { realEngine } from './helpers/engine';
import { devServerEnv } from './helpers/env';
import { aRecordedRegistration, anAgreement, aRegistration, recordedEvents } from './helpers/registrations';

const LAKESIDE = `lakeside-${process.pid}.edu`;
const HARBOR = `harbor-${process.pid}.org`;
const ADA = `ada@${LAKESIDE}`;
const GRACE = `grace@${LAKESIDE}`;
const LIN = `lin@${HARBOR}`;
const HARBOR_INSTITUTION = { name: 'Harbor Research Institute', domain: HARBOR };

describe('dura registration (CLI)', function () {
  this.timeout(180_000);
  const engine = realEngine(devServerEnv);
  let dir: string;
  const today = newYorkDate();
  const yesterday = newYorkDate(Date.now() - 86_400_000);
  let lakeside: { agreementId: string; ref: string };
  let harbor: { agreementId: string; ref: string };

  const file = (name: string, content: string | Buffer) => {
    const at = path.join(dir, name);
    fs.writeFileSync(at, content);
    return at;
  };
  const stepsOf = async (email: string) => (await registrationsFor(engine.dura.store.db, email))[0]!.steps;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-registration-cli-'));
    lakeside = await anAgreement(engine, LAKESIDE);
    harbor = await anAgreement(engine, HARBOR);
    await aRegistration(engine, lakeside, LAKESIDE, { name: 'Ada Researcher', email: ADA });
    await aRegistration(engine, lakeside, LAKESIDE, { name: 'Grace Hopper', email: GRACE });
    // Lin's registration stalled weeks ago: as its workflow last wrote it (every nudge sent, told).
    await aRecordedRegistration(engine, harbor, HARBOR_INSTITUTION, {
      registrationId: 'test-registration-stalled',
      requester: { name: 'Lin Stalled', email: LIN },
      steps: { ...noStepsDone(), account: '2026-08-04' },
      nudgesSent: 4,
      escalatedAt: '2026-09-14T13:00:00.000Z',
    });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('record: a step by its words, on a date; the same again changes nothing', async () => {
    const first = await dura(
      ['registration', 'record', ADA, '--step', '2-Step Verification', '--on', yesterday],
      engine.cliEnv,
    );
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^${lakeside.agreementId}: recorded\\n`));
    assert.match(first.stdout, /Ada Researcher <ada@[^>]+>: 4 left/);
    assert.match(first.stdout, /2-step verification\s+\w{3}, \w{3} \d+, \d{4}\n/);
    assert.match(first.stdout, /identity verification\s+not yet/);

    const again = await dura(
      ['registration', 'record', ADA, '--step', 'two-step', '--on', yesterday, '--json'],
      engine.cliEnv,
    );
    assert.equal(again.status, 0, again.stderr);
    const answer = JSON.parse(again.stdout) as {
      outcome: string;
      registration: { steps: Record<string, string> };
    };
    assert.equal(answer.outcome, 'already-recorded');
    assert.equal(answer.registration.steps['two-step'], yesterday);
    // Another date corrects it, and says so; then back to the first.
    const moved = await dura(
      ['registration', 'record', ADA, '--step', 'two-step', '--on', today],
      engine.cliEnv,
    );
    assert.match(
      moved.stdout,
      new RegExp(`^${lakeside.agreementId}: recorded \\(corrected: was ${yesterday}\\)\n`),
    );
    const back = await dura(
      ['registration', 'record', ADA, '--step', 'two-step', '--on', yesterday],
      engine.cliEnv,
    );
    assert.equal(back.status, 0, back.stderr);
    assert.equal(back.stderr, '', 'a day before the instructions: nothing said');
    // A year mistyped by hand: taken, and said, as the import says it of a row.
    const lastYear = `${Number(yesterday.slice(0, 4)) - 1}${yesterday.slice(4)}`;
    const typo = await dura(
      ['registration', 'record', ADA, '--step', 'two-step', '--on', lastYear],
      engine.cliEnv,
    );
    assert.equal(typo.status, 0, typo.stderr);
    assert.equal(
      typo.stderr,
      `dura: warning: ${ADA}'s two-step on ${lastYear} is before the registration instructions went out ` +
        `(${today}): if the date is mistyped (a day and month swapped, a wrong year), record it again with ` +
        'the right --on\n',
    );
    const fixed = await dura(
      ['registration', 'record', ADA, '--step', 'two-step', '--on', yesterday],
      engine.cliEnv,
    );
    assert.match(
      fixed.stdout,
      new RegExp(`^${lakeside.agreementId}: recorded \\(corrected: was ${lastYear}\\)\n`),
    );
    // --on defaults to today in New York.
    const now = await dura(
      ['registration', 'record', ADA.toUpperCase(), '--step', 'identity'],
      engine.cliEnv,
    );
    assert.equal(now.status, 0, now.stderr);
    assert.deepEqual(await stepsOf(ADA), { ...noStepsDone(), 'two-step': yesterday, identity: today });
  });

  it('record: bad flags, every one named as typed, exit 1, nothing recorded; an address not tracked', async () => {
    const bad = await dura(
      ['registration', 'record', 'ada', '--step', 'gold', '--on', '11/20/2026'],
      engine.cliEnv,
    );
    assert.equal(bad.status, 1);
    assert.deepEqual(bad.stderr.trim().split('\n'), [
      'dura: ada: not an e-mail address',
      'dura: --step: unknown step "gold": expected one of account, two-step, identity, code-of-conduct, rcr-training (or their words, e.g. "2-Step Verification", "RCR Training")',
      'dura: --on: 11/20/2026 is not a date dura reads (for November 20, 2026 type 2026-11-20); use YYYY-MM-DD (a New York date)',
    ]);
    const future = await dura(
      ['registration', 'record', GRACE, '--step', 'account', '--on', '2099-01-01'],
      engine.cliEnv,
    );
    assert.equal(future.status, 1);
    assert.match(
      future.stderr,
      /^dura: --on: 2099-01-01 is in the future \(today is \d{4}-\d{2}-\d{2} in New York\)\n$/,
    );
    const missing = await dura(['registration', 'record', GRACE], engine.cliEnv);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^dura: --step: required$/m);
    const stranger = await dura(
      ['registration', 'record', `nobody@${LAKESIDE}`, '--step', 'account'],
      engine.cliEnv,
    );
    assert.equal(stranger.status, 1);
    assert.match(stranger.stderr, /nobody@[^:]+: no registration is tracked for this address/);
    assert.deepEqual(await stepsOf(GRACE), noStepsDone());
  });

  it('record: a completed registration’s date corrected in the records, with its event', async () => {
    const KIM = `kim@${HARBOR}`;
    const done = { account: '2026-08-04', 'two-step': '2026-08-04', identity: '2026-08-05' };
    // Kim's registration completed weeks ago (its workflow ended), with a mistyped training date.
    await aRecordedRegistration(engine, harbor, HARBOR_INSTITUTION, {
      registrationId: 'test-registration-complete',
      requester: { name: 'Kim Complete', email: KIM },
      steps: { ...done, 'code-of-conduct': '2026-08-05', 'rcr-training': '2020-08-06' },
      completedAt: '2026-08-06T15:00:00.000Z',
    });
    const record = (on: string) =>
      dura(['registration', 'record', KIM, '--step', 'rcr', '--on', on, '--json'], engine.cliEnv);
    const fixed = await record('2026-08-06');
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.equal(JSON.parse(fixed.stdout).outcome, 'recorded');
    assert.equal(JSON.parse(fixed.stdout).was, '2020-08-06', 'the date it corrected');
    const text = await dura(
      ['registration', 'record', KIM, '--step', 'rcr', '--on', '2026-08-07'],
      engine.cliEnv,
    );
    assert.match(text.stdout, /: recorded \(corrected: was 2026-08-06\)\n/);
    assert.equal((await record('2026-08-06')).status, 0);
    const [row] = await registrationsFor(engine.dura.store.db, KIM);
    assert.equal(row!.steps['rcr-training'], '2026-08-06');
    assert.equal(row!.completedAt, '2026-08-06T15:00:00.000Z', 'still complete, as it was');
    const events = await recordedEvents(engine, harbor.ref, 'registration-step-corrected');
    assert.deepEqual(events, [
      {
        event: 'registration-step-corrected',
        detail: `${KIM}: Responsible Conduct of Research training on 2026-08-06, was 2020-08-06 (cli)`,
      },
      {
        event: 'registration-step-corrected',
        detail: `${KIM}: Responsible Conduct of Research training on 2026-08-07, was 2026-08-06 (cli)`,
      },
      {
        event: 'registration-step-corrected',
        detail: `${KIM}: Responsible Conduct of Research training on 2026-08-06, was 2026-08-07 (cli)`,
      },
    ]);
    assert.equal(JSON.parse((await record('2026-08-06')).stdout).outcome, 'already-recorded');
  });

  it('import: a bad row refuses the whole file, by line and column; nothing is recorded', async () => {
    const csv = file(
      'bad.csv',
      [
        'Email,Name,Module,Completed',
        `${GRACE},Grace,Identity Verification,${yesterday}`,
        `${GRACE},Grace,Gold star,${yesterday}`,
        `nobody@${LAKESIDE},Nobody,RCR Training,${yesterday}`,
        `${GRACE},Grace,Code of Conduct,2099-01-01`,
      ].join('\r\n'),
    );
    const result = await dura(['registration', 'import', csv], engine.cliEnv);
    assert.equal(result.status, 1);
    assert.deepEqual(result.stderr.trim().split('\n'), [
      `dura: ${csv}: nothing recorded; 3 problems:`,
      'dura: line 3, Module: unknown step "Gold star": expected one of account, two-step, identity, code-of-conduct, rcr-training (or their words, e.g. "2-Step Verification", "RCR Training")',
      `dura: line 4, Email: no registration is tracked for nobody@${LAKESIDE} (the registration instructions have not gone to it)`,
      'dura: line 5, Completed: 2099-01-01 is in the future (today is ' + today + ' in New York)',
    ]);
    // Alone among good rows, the address that has no registration is the one problem.
    const unknown = file(
      'unknown.csv',
      `email,step,completed_on\n${GRACE},identity,${yesterday}\nnobody@${LAKESIDE},rcr,${yesterday}\n`,
    );
    const refused = await dura(['registration', 'import', unknown], engine.cliEnv);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /nothing recorded; 1 problem:\ndura: line 3, email: no registration is tracked for nobody@/,
    );
    assert.deepEqual(await stepsOf(GRACE), noStepsDone());
  });

  it('import: a Windows-1252 export and a UTF-16 one are recorded; again, nothing changes', async () => {
    const cp1252 = file(
      'export-1252.csv',
      iconv.encode(
        `email,step,completed_on,note\r\n${GRACE},Identity Verification,${yesterday},“ID.me” – Grace\r\n`,
        'windows-1252',
      ),
    );
    const first = await dura(['registration', 'import', cp1252, '--json'], engine.cliEnv);
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual((JSON.parse(first.stdout) as { rows: unknown[] }).rows, [
      {
        line: 2,
        email: GRACE,
        step: 'identity',
        completedOn: yesterday,
        outcome: 'recorded',
        agreementId: lakeside.agreementId,
      },
    ]);
    const tabs = `Email\tStep\tCompleted On\r\n${GRACE}\tCode of Conduct\t${today}\r\n${GRACE}\tRCR Training\t${today}\r\n`;
    const utf16 = file(
      'export-16.txt',
      Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(tabs, 'utf-16le')]),
    );
    const second = await dura(['registration', 'import', utf16], engine.cliEnv);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout.trim(), '2 rows: 2 recorded, 0 unchanged (already recorded)');
    const again = await dura(['registration', 'import', utf16], engine.cliEnv);
    assert.equal(again.stdout.trim(), '2 rows: 0 recorded, 2 unchanged (already recorded)');
    assert.deepEqual(await stepsOf(GRACE), {
      ...noStepsDone(),
      identity: yesterday,
      'code-of-conduct': today,
      'rcr-training': today,
    });
  });

  it('list: a table, JSON and CSV; by institution; only the stalled', async () => {
    const table = await dura(['registration', 'list'], engine.cliEnv);
    assert.equal(table.status, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(
      lines[0]!,
      /^REQUESTER\s+INSTITUTION\s+AGREEMENT\s+INSTRUCTIONS\s+ACCOUNT\s+2-STEP\s+IDENTITY\s+CONDUCT\s+RCR\s+STATE$/,
    );
    assert.equal(lines.length, 5);
    assert.match(
      lines.find((l) => l.startsWith(`kim@`))!,
      /2026-08-06\s+complete \(2026-08-06\)$/,
    );
    const lin = lines.find((l) => l.startsWith(LIN))!;
    assert.match(
      lin,
      /2026-08-03\s+2026-08-04\s+-\s+-\s+-\s+-\s+stalled, 4 left \(access team told 2026-09-14\)$/,
    );
    assert.match(
      lines.find((l) => l.startsWith(ADA))!,
      /3 left; next nudge \d{4}-\d{2}-\d{2}$/,
    );

    const json = await dura(['registration', 'list', '--institution', LAKESIDE, '--json'], engine.cliEnv);
    assert.equal(json.status, 0, json.stderr);
    const rows = JSON.parse(json.stdout) as { requester: { email: string }; agreementId: string }[];
    assert.deepEqual(rows.map((r) => r.requester.email).sort(), [ADA, GRACE]);

    const stalled = await dura(['registration', 'list', '--stalled', '--csv'], engine.cliEnv);
    assert.equal(stalled.status, 0, stalled.stderr);
    assert.deepEqual(stalled.stdout.trim().split('\n'), [
      'requester_email,requester_name,institution_domain,institution_name,agreement_id,instructions_sent_at,account,two_step,identity,code_of_conduct,rcr_training,nudges_sent,next_nudge_at,escalated_at,completed_at,closed_at,closed_reason',
      `${LIN},Lin Stalled,${HARBOR},Harbor Research Institute,${harbor.agreementId},2026-08-03T14:00:00.000Z,2026-08-04,,,,,4,,2026-09-14T13:00:00.000Z,,,`,
    ]);
    // Found as `institutions lookup` finds them: accents and case aside, or a part of a domain.
    for (const typed of ['HÁRBOR résearch', HARBOR.split('.')[0]!]) {
      const found = await dura(['registration', 'list', '--institution', typed, '--json'], engine.cliEnv);
      const emails = (JSON.parse(found.stdout) as { requester: { email: string } }[]).map(
        (r) => r.requester.email,
      );
      assert.ok(emails.includes(LIN), `${typed}: ${emails.join(', ')}`);
      assert.ok(!emails.includes(ADA), `${typed}: only Harbor's`);
    }
    const none = await dura(
      ['registration', 'list', '--institution', 'nowhere.example', '--stalled'],
      engine.cliEnv,
    );
    assert.equal(none.stdout.trim(), 'no registrations (--institution nowhere.example, --stalled)');
    const both = await dura(['registration', 'list', '--json', '--csv'], engine.cliEnv);
    assert.equal(both.status, 1);
    assert.equal(both.stderr, 'dura: --json and --csv: choose one\n');
  });

  it('status: each requester’s steps from the records, once the instructions went out', async () => {
    const status = JSON.parse(
      (await dura(['status', lakeside.agreementId, '--json'], engine.cliEnv)).stdout,
    ) as AgreementStatus;
    // Not yet: this agreement's instructions have not gone out, so status has no registrations.
    assert.equal('registrations' in status, false);
    const sent = { ...status, instructionsSentAt: new Date().toISOString() };
    const shown = await withRegistrations(sent, engine.cliEnv.DATABASE_URL!);
    assert.deepEqual(
      shown.registrations?.map((r) => [r.requester.email, r.steps.identity]),
      [
        [ADA, today],
        [GRACE, yesterday],
      ],
    );
    // Another data directory than the engine's: status answers without them, and makes no database there.
    const elsewhere = path.join(os.tmpdir(), `dura-elsewhere-${process.pid}`, 'dura.sqlite');
    const stderr = sinon.stub(process.stderr, 'write');
    try {
      assert.deepEqual(await withRegistrations(sent, `sqlite:${elsewhere}`), sent);
      assert.equal(
        String(stderr.firstCall.args[0]),
        `dura: the records did not answer, so registrations are not shown: no such file: ${elsewhere}\n`,
      );
    } finally {
      stderr.restore();
    }
    assert.equal(fs.existsSync(elsewhere), false);
    const text = registrationsSection(shown.registrations!);
    assert.match(text, /^Registration\n {2}Ada Researcher <ada@[^>]+>: 3 left/);
    assert.match(
      text,
      /\n {2}Grace Hopper <grace@[^>]+>: 2 left[^\n]*\n {4}Researcher Workbench account\s+not yet\n/,
    );
  });

  // Last: it records a step the tests above count as left.
  it('import: dates in digits as Excel writes them, refused until --dates says which comes first', async () => {
    const [y, m, d] = yesterday.split('-').map(Number);
    const us = `${m}/${d}/${y}`; // month first, no leading zeros: Excel's US short date
    const excel = file(
      'excel-us.csv',
      iconv.encode(
        `Researcher Email,Access Module,Completion Date,,\r\n${ADA},Account Creation,${us},,\r\n`,
        'windows-1252',
      ),
    );
    const refused = await dura(['registration', 'import', excel], engine.cliEnv);
    assert.equal(refused.status, 1);
    const lines = refused.stderr.trim().split('\n');
    assert.match(
      lines[1]!,
      new RegExp(`^dura: line 2, Completion Date: ${us} is not a date dura reads \\(for `),
    );
    assert.equal(
      lines.at(-1),
      'dura: Dates in digits: say which comes first, --dates month-first (US: 3/4/2026 is March 4) or --dates day-first',
    );
    assert.equal((await stepsOf(ADA)).account, null, 'nothing recorded');

    const read = await dura(['registration', 'import', excel, '--dates', 'month-first'], engine.cliEnv);
    assert.equal(read.status, 0, read.stderr);
    assert.equal(read.stdout.trim(), '1 row: 1 recorded, 0 unchanged (already recorded)');
    assert.equal((await stepsOf(ADA)).account, yesterday);
    const typo = await dura(['registration', 'import', excel, '--dates', 'us'], engine.cliEnv);
    assert.equal(typo.status, 1);
    assert.equal(typo.stderr, 'dura: --dates: expected month-first or day-first (got "us")\n');
    assert.equal(read.stderr, '', 'a day before the instructions: nothing said');

    // Months before the instructions went out (a day and month swapped reads so): taken, and said.
    const early = newYorkDate(Date.now() - 60 * 86_400_000);
    const swapped = file('swapped.csv', `email,step,completed_on\n${ADA},2-Step Verification,${early}\n`);
    const before = (await stepsOf(ADA))['two-step'];
    assert.ok(before, 'recorded by an earlier test');
    const taken = await dura(['registration', 'import', swapped], engine.cliEnv);
    assert.equal(taken.status, 0, taken.stderr);
    assert.equal(
      taken.stdout.trim(),
      `1 row: 1 recorded, 0 unchanged (already recorded)\nline 2: ${ADA}'s two-step corrected to ${early} (was ${before})`,
    );
    assert.equal(
      taken.stderr,
      `dura: warning: line 2: ${ADA}'s two-step on ${early} is before the registration instructions went out ` +
        `(${today}): if the date is mistyped (a day and month swapped, a wrong year), correct the date in the file and import it again\n`,
    );
    // The file corrected and imported again, as the warning says: the date moves, and the answer says so.
    const fixed = file('fixed.csv', `email,step,completed_on\n${ADA},2-Step Verification,${yesterday}\n`);
    const corrected = await dura(['registration', 'import', fixed], engine.cliEnv);
    assert.equal(corrected.status, 0, corrected.stderr);
    assert.equal(
      corrected.stdout.trim(),
      `1 row: 1 recorded, 0 unchanged (already recorded)\nline 2: ${ADA}'s two-step corrected to ${yesterday} (was ${early})`,
    );
    assert.equal((await stepsOf(ADA))['two-step'], yesterday);
  });
});
