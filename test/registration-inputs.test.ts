// Registration progress as it comes in (issue 18), without Temporal: a step named as people and exports
// name it, a report checked field by field (every problem at once), a CSV file as spreadsheets save it
// (aliases in the header, other columns ignored, bad rows by line and column), the Workbench's HMAC
// signature (a tampered body, a wrong secret, a stale timestamp) and the secret's setting.
import { strict as assert } from 'node:assert';
import iconv from 'iconv-lite';
import { formatProblem } from '../common/csv';
import { parseRegistrationCsv } from '../common/registration-csv';
import { checkStepInput, stepOf } from '../common/registration-input';
import { decodeText } from '../common/text-file';
import { webConfig } from '../web/config';
import { signWorkbenchBody, verifyWorkbenchSignature } from '../web/workbench-signature';

const TODAY = '2026-11-30';

describe('registration inputs', () => {
  it('a step by its name, its words, or an export’s module name; anything else is unknown', () => {
    const cases: Record<string, string | undefined> = {
      account: 'account',
      'Researcher Workbench account': 'account',
      '2-Step Verification': 'two-step',
      twoFactorAuth: 'two-step',
      'two-step': 'two-step',
      'Identity Verification': 'identity',
      'ID.me': 'identity',
      'Code of Conduct': 'code-of-conduct',
      DUCC: 'code-of-conduct',
      'Data User Code of Conduct': 'code-of-conduct',
      'RCR Training': 'rcr-training',
      'Responsible Conduct of Research training': 'rcr-training',
      complianceTraining: 'rcr-training',
      eraCommons: undefined,
      '': undefined,
    };
    for (const [text, step] of Object.entries(cases)) assert.equal(stepOf(text), step, text);
  });

  it('a report: the address lower-cased, the date a New York date; every bad field at once', () => {
    assert.deepEqual(
      checkStepInput(
        { email: ' Ada@UW.edu ', step: 'RCR Training', completedOn: '2026-11-20' },
        { today: TODAY },
      ),
      { input: { email: 'ada@uw.edu', step: 'rcr-training', completedOn: '2026-11-20' } },
    );
    // An instant is its New York date (an export's timestamp); 03:00Z on Dec 1 is Nov 30 in New York.
    assert.deepEqual(
      checkStepInput(
        { email: 'ada@uw.edu', step: 'identity', completedOn: '2026-12-01T03:00:00Z' },
        { today: TODAY },
      ),
      { input: { email: 'ada@uw.edu', step: 'identity', completedOn: '2026-11-30' } },
    );
    assert.deepEqual(
      checkStepInput({ email: 'ada', step: 'gold', completedOn: '2026-12-01' }, { today: TODAY }),
      {
        problems: [
          { field: 'email', message: '"ada": not an e-mail address' },
          {
            field: 'step',
            message:
              'unknown step "gold": expected one of account, two-step, identity, code-of-conduct, rcr-training (or their words, e.g. "2-Step Verification", "RCR Training")',
          },
          { field: 'completedOn', message: '2026-12-01 is in the future (today is 2026-11-30 in New York)' },
        ],
      },
    );
    assert.deepEqual(checkStepInput({}, { today: TODAY }), {
      problems: [
        { field: 'email', message: 'required' },
        { field: 'step', message: 'required' },
        { field: 'completedOn', message: 'required' },
      ],
    });
    // The CLI's --on is a date only, as execute --on is; 11/20/2026 is no date anywhere.
    const dateOnly = checkStepInput(
      { email: 'ada@uw.edu', step: 'identity', completedOn: '2026-11-20T10:00' },
      { today: TODAY, dateOnly: true },
    );
    assert.deepEqual(dateOnly, {
      problems: [
        {
          field: 'completedOn',
          message:
            '2026-11-20T10:00 is not a date dura reads (a date without its time: type 2026-11-20); use YYYY-MM-DD (a New York date)',
        },
      ],
    });
    const american = checkStepInput(
      { email: 'ada@uw.edu', step: 'identity', completedOn: '11/20/2026' },
      { today: TODAY },
    );
    assert.match('problems' in american ? american.problems[0]!.message : '', /^11\/20\/2026 is not a date/);
  });

  it('a CSV export: header aliases, other columns ignored, trailing empty columns, rows by line', () => {
    const text =
      '\uFEFFResearcher Email,Name,Access Module,Completion Date,,\r\n' +
      'ada@uw.edu,Ada,2-Step Verification,2026-11-18,,\r\n' +
      '\r\n' +
      'ADA@uw.edu,Ada,RCR Training,2026-11-20T14:00:00Z,,\r\n';
    const parsed = parseRegistrationCsv(text, TODAY);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.rows, [
      { line: 2, email: 'ada@uw.edu', step: 'two-step', completedOn: '2026-11-18' },
      { line: 4, email: 'ada@uw.edu', step: 'rcr-training', completedOn: '2026-11-20' },
    ]);
  });

  it('a CSV that gives one step two dates is refused at the later row; the same date twice is fine', () => {
    const text = [
      'email,step,completed_on',
      'bob@uw.edu,account,2026-11-28',
      'BOB@uw.edu,Account Creation,2026-11-28',
      'bob@uw.edu,account,2026-11-27',
      'bob@uw.edu,identity,2026-11-27',
    ].join('\n');
    assert.deepEqual(parseRegistrationCsv(text, TODAY).problems.map(formatProblem), [
      "line 4, completed_on: 2026-11-27 for bob@uw.edu's account, which line 2 gives 2026-11-28: keep the right one",
    ]);
  });

  it('a CSV with bad rows: every problem by line and by the column as the header names it', () => {
    const text = [
      'E-mail;Step;Completed',
      'ada@uw.edu;identity;2026-11-18',
      'grace;Gold star;2026-02-30',
      'linus@uw.edu;Code of Conduct;2027-01-01',
      'ada@uw.edu;account;2026-11-19;extra',
    ].join('\n');
    const parsed = parseRegistrationCsv(text, TODAY);
    assert.deepEqual(parsed.problems.map(formatProblem), [
      'line 3, E-mail: "grace": not an e-mail address',
      'line 3, Step: unknown step "Gold star": expected one of account, two-step, identity, code-of-conduct, rcr-training (or their words, e.g. "2-Step Verification", "RCR Training")',
      'line 3, Completed: 2026-02-30 is not a calendar date: February 2026 has 28 days',
      'line 4, Completed: 2027-01-01 is in the future (today is 2026-11-30 in New York)',
      'line 5, row: expected 3 fields, found 4 (quote a value that contains a semicolon)',
    ]);
    const header = parseRegistrationCsv('email,module,task,date\nada@uw.edu,identity,x,2026-11-18\n', TODAY);
    assert.deepEqual(header.problems.map(formatProblem), [
      'line 1, header: "module" and "task" are both step: expected the columns email,step,completed_on (other columns are ignored)',
    ]);
    assert.deepEqual(parseRegistrationCsv('who,what\n', TODAY).problems.map(formatProblem), [
      'line 1, header: no email column; no step column; no completed_on column: expected the columns email,step,completed_on (other columns are ignored)',
    ]);
    assert.deepEqual(parseRegistrationCsv('', TODAY).problems.map(formatProblem), [
      'line 1, header: the file is empty',
    ]);
  });

  it('a CSV saved as Windows-1252 or as UTF-16 (Excel’s Unicode text, tab-separated)', () => {
    const csv = 'email,step,completed_on,note\r\nzoe@uw.edu,identity,2026-11-18,“done” – Zoë Müller\r\n';
    const cp1252 = decodeText(iconv.encode(csv, 'windows-1252'));
    assert.equal(cp1252.encoding, 'windows-1252');
    assert.deepEqual(parseRegistrationCsv(cp1252.text, TODAY).rows, [
      { line: 2, email: 'zoe@uw.edu', step: 'identity', completedOn: '2026-11-18' },
    ]);
    const tabs = 'Email\tStep\tCompleted On\r\nada@uw.edu\tCode of Conduct\t2026-11-19\r\n';
    const utf16 = decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(tabs, 'utf-16le')]));
    assert.equal(utf16.encoding, 'utf-16le');
    assert.deepEqual(parseRegistrationCsv(utf16.text, TODAY).rows, [
      { line: 2, email: 'ada@uw.edu', step: 'code-of-conduct', completedOn: '2026-11-19' },
    ]);
  });

  it('the Workbench signature: accepted as signed; a tampered body, a wrong secret, a stale or missing timestamp refused', () => {
    const secret = 'a'.repeat(40);
    const now = new Date('2026-11-30T15:00:00Z');
    const ts = Math.floor(now.getTime() / 1000);
    const body = '{"email":"ada@uw.edu","step":"identity","completedOn":"2026-11-30"}';
    const headers = (t: number | string, signature: string) => ({
      'x-dura-timestamp': String(t),
      'x-dura-signature': signature,
    });
    const signed = signWorkbenchBody(secret, ts, body);
    assert.match(signed, /^sha256=[0-9a-f]{64}$/);
    assert.deepEqual(verifyWorkbenchSignature(secret, headers(ts, signed), Buffer.from(body), now), {
      ok: true,
    });
    // Four minutes off either way is within the window.
    const early = signWorkbenchBody(secret, ts - 240, body);
    assert.deepEqual(verifyWorkbenchSignature(secret, headers(ts - 240, early), body, now), { ok: true });
    const refused = (h: Record<string, string>, b = body) => {
      const v = verifyWorkbenchSignature(secret, h, b, now);
      return v.ok ? 'accepted' : v.problem;
    };
    assert.equal(refused(headers(ts, signed), body.replace('identity', 'account')), 'bad-signature');
    assert.equal(refused(headers(ts, signWorkbenchBody('b'.repeat(40), ts, body))), 'bad-signature');
    assert.equal(refused(headers(ts, 'sha256=00')), 'bad-signature');
    // The timestamp is signed: a new timestamp on an old signature does not match.
    assert.equal(refused(headers(ts + 1, signed)), 'bad-signature');
    const stale = ts - 301;
    assert.equal(refused(headers(stale, signWorkbenchBody(secret, stale, body))), 'stale-timestamp');
    const future = ts + 301;
    assert.equal(refused(headers(future, signWorkbenchBody(secret, future, body))), 'stale-timestamp');
    assert.equal(refused({ 'x-dura-signature': signed }), 'no-timestamp');
    assert.equal(refused(headers('soon', signed)), 'no-timestamp');
    assert.equal(refused({ 'x-dura-timestamp': String(ts) }), 'no-signature');
  });

  it('DURA_WORKBENCH_SECRET: unset, off; too short, one line that never shows it', () => {
    assert.equal(webConfig({}).workbenchSecret, undefined);
    assert.equal(webConfig({ DURA_WORKBENCH_SECRET: 'x'.repeat(32) }).workbenchSecret, 'x'.repeat(32));
    assert.throws(
      () => webConfig({ DURA_WORKBENCH_SECRET: 'hunter2' }),
      (err: Error & { problems: string[] }) => {
        assert.deepEqual(err.problems, [
          'DURA_WORKBENCH_SECRET: expected at least 32 characters without spaces (e.g. from `openssl rand -hex 32`)',
        ]);
        return true;
      },
    );
  });
});
