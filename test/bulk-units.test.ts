// Units of `dura import` and `dura report`: the request CSV reader and the report's figures.
import { strict as assert } from 'node:assert';
import type { AgreementsTable } from '../activities/records/schema';
import { agreementReport } from '../client/report';
import { formatProblem } from '../common/csv';
import { parseRequestCsv } from '../common/request-csv';

const now = new Date('2026-11-20T15:00:00Z');

describe('request CSV', () => {
  it('reads columns in any order, optional columns left out, a BOM, and counts lines across a quoted line break', () => {
    const text =
      '\uFEFFdomain,tiers,institution_name,requester_name,requester_email,official_name,official_email\r\n' +
      'wsu.edu,registered,"Washington State\nUniversity",Al,al@wsu.edu,Sam,osp@wsu.edu\r\n' +
      'uw.edu,"registered, controlled","University of Washington, Seattle",Ada,ADA@uw.edu,Sam,osp@uw.edu\r\n' +
      '\r\n' +
      'bad,registered,X,Al,al@x.edu,Sam,s@x.edu\r\n';
    const { rows, problems } = parseRequestCsv(text, now);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0], {
      line: 4,
      request: {
        institution: { name: 'University of Washington, Seattle', domain: 'uw.edu' },
        requester: { name: 'Ada', email: 'ada@uw.edu' },
        signingOfficial: { name: 'Sam', email: 'osp@uw.edu' },
        tiers: ['registered', 'controlled'],
        receivedAt: now.toISOString(),
      },
    });
    assert.deepEqual(problems, [
      { line: 2, field: 'institution_name', message: 'must be one line' },
      { line: 6, field: 'domain', message: '"bad": expected an e-mail domain such as uw.edu' },
    ]);
  });

  it('reads a received_at in digits in the order --dates gives, and refuses it without', () => {
    const text =
      'institution_name,domain,requester_name,requester_email,official_name,official_email,tiers,received_at\n' +
      'U,u.edu,Al,al@u.edu,Sam,osp@u.edu,registered,11/3/2026\n';
    assert.equal(
      parseRequestCsv(text, now, 'month-first').rows[0]?.request.receivedAt,
      '2026-11-03T05:00:00.000Z',
    );
    assert.equal(
      parseRequestCsv(text, now, 'day-first').rows[0]?.request.receivedAt,
      '2026-03-11T04:00:00.000Z',
    );
    const [dayFirst] = parseRequestCsv(text.replace('11/3/2026', '11/30/2026'), now, 'day-first').problems;
    assert.deepEqual(dayFirst, {
      line: 2,
      field: 'received_at',
      message: '11/30/2026 is not a date day-first: there is no month 30',
    });
    const [problem] = parseRequestCsv(text, now).problems;
    assert.match(
      problem!.message,
      /^11\/3\/2026 is not a date dura reads \(for November 3, 2026 type 2026-11-03; for March 11, 2026 type 2026-03-11\)/,
    );
  });

  it('drops the invisible characters a paste brings into a name (zero-width space, word joiner, BOM)', () => {
    const text =
      'institution_name,domain,requester_name,requester_email,official_name,official_email,tiers\n' +
      'Uni\u2060 Oslo,uio.no,Ola\u200B Nordmann,ola@uio.no,Kari\uFEFF Signer,kari@uio.no,registered\n';
    const [row] = parseRequestCsv(text, now).rows;
    assert.deepEqual(
      [row!.request.institution.name, row!.request.requester.name, row!.request.signingOfficial.name],
      ['Uni Oslo', 'Ola Nordmann', 'Kari Signer'],
    );
  });

  it('names every bad field of a row once', () => {
    const text =
      'institution_name,domain,requester_name,requester_email,official_name,official_email,tiers,received_at\n' +
      ',uw.edu,,nope,Sam,osp@uw.edu,gold;silver,yesterday\n';
    const { problems } = parseRequestCsv(text, now);
    assert.deepEqual(
      problems.map((p) => `${p.line} ${p.field}`),
      ['2 institution_name', '2 requester_name', '2 requester_email', '2 tiers', '2 received_at'],
    );
  });
});

describe('request CSV from a spreadsheet', () => {
  const header = 'institution_name,domain,requester_name,requester_email,official_name,official_email,tiers';
  const row = (domain: string, tiers: string) => `U,${domain},Al,al@${domain},Sam,osp@${domain},${tiers}`;

  it('spells tiers in any case with spaces around, as the institutions file does; an unknown one lists those accepted', () => {
    const text = [
      header,
      row('a.edu', 'Registered'),
      row('b.edu', 'CONTROLLED'),
      row('c.edu', '" registered "'),
      row('d.edu', 'Controlled;REGISTERED'),
      row('e.edu', 'Registered;Gold'),
      row('f.edu', ''),
    ].join('\n');
    const { rows, problems } = parseRequestCsv(text, now);
    assert.deepEqual(
      rows.map((r) => [r.request.institution.domain, r.request.tiers]),
      [
        ['a.edu', ['registered']],
        ['b.edu', ['registered', 'controlled']],
        ['c.edu', ['registered']],
        ['d.edu', ['registered', 'controlled']],
      ],
    );
    assert.deepEqual(problems.map(formatProblem), [
      'line 6, tiers: unknown tier "Gold": expected registered or controlled',
      'line 7, tiers: at least one of registered and controlled',
    ]);
  });

  it("names problems by column as the header names it, left to right, whatever the header's case", () => {
    const text =
      'Official Email,Tiers,Domain,Institution Name,Requester_Name,REQUESTER_EMAIL,official-name\n' +
      ',gold,nope,,Al,al@x.edu,Sam\n';
    assert.deepEqual(parseRequestCsv(text, now).problems.map(formatProblem), [
      'line 2, Official Email: required',
      'line 2, Tiers: unknown tier "gold": expected registered or controlled',
      'line 2, Domain: "nope": expected an e-mail domain such as uw.edu',
      'line 2, Institution Name: required',
    ]);
  });

  it("a column of the spreadsheet's own is ignored and named; the rows are read", () => {
    const parsed = parseRequestCsv(`${header},Notes\n${row('a.edu', 'registered')},call back Monday\n`, now);
    assert.equal(parsed.fatal, false);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.ignored, ['Notes']);
    assert.equal(parsed.rows[0]!.request.institution.domain, 'a.edu');
  });

  it('a bad header, a value under no column name, or a row cut short by a quote: nothing can be requested', () => {
    const repeated = parseRequestCsv(
      `${header},Domain,colour\n${row('a.edu', 'registered')},a.edu,red\n`,
      now,
    );
    assert.equal(repeated.fatal, true);
    assert.deepEqual(repeated.problems.map(formatProblem), [
      'line 1, header: unknown "colour"; domain more than once: expected the columns ' +
        'institution_name,domain,requester_name,requester_email,official_name,official_email,official_title,tiers,received_at',
    ]);

    const unnamed = parseRequestCsv(
      `${header},,\n${row('a.edu', 'registered')},,\n${row('b.edu', 'registered')},,x\n`,
      now,
    );
    assert.deepEqual(unnamed, {
      rows: [],
      problems: [
        {
          line: 1,
          field: 'column 9',
          message: 'no header, but line 3 has a value (name the column or clear it)',
        },
      ],
      fatal: true,
      ignored: [],
    });

    const unclosed = parseRequestCsv(
      `${header}\n${row('a.edu', 'registered')}\n"Bad,x.edu\n${row('c.edu', 'registered')}\n`,
      now,
    );
    assert.deepEqual(unclosed.rows, [], 'the rows before it are not requested alone (--skip-invalid)');
    assert.equal(unclosed.fatal, true);
    assert.deepEqual(unclosed.problems.map(formatProblem), [
      'line 3, row: a quoted value never ends (a quote is missing); nothing after it was read',
    ]);
  });
});

describe('report figures', () => {
  const row = (changes: Partial<AgreementsTable>): AgreementsTable => ({
    agreement_ref: `ref-${changes.domain}`,
    agreement_id: `dura-${changes.domain}`,
    domain: 'x.edu',
    stage: 'awaiting-signature',
    kind: 'new',
    tiers: 'registered',
    received_at: '2026-11-02T15:00:00.000Z', // a Monday
    initiation_due_by: '2026-11-04T22:00:00.000Z', // Wednesday 17:00 New York
    initiated_at: null,
    reminders_sent: 0,
    next_reminder_at: null,
    executed_at: null,
    instructions_due_by: null,
    instructions_sent_at: null,
    ended_at: null,
    overdue: 0,
    history_length: 1,
    status_json: '{}',
    updated_at: '2026-11-02T15:00:00.000Z',
    ...changes,
  });

  it('business days to initiation, days to execution, and each kind of missed deadline', () => {
    const report = agreementReport(
      [
        // Initiated on the Wednesday before 17:00: 2 business days, on time; executed 30 days later.
        row({
          domain: 'a.edu',
          stage: 'completed',
          initiated_at: '2026-11-04T21:00:00.000Z',
          reminders_sent: 2,
          executed_at: '2026-12-02T15:00:00.000Z',
          instructions_due_by: '2026-12-04T22:00:00.000Z',
          instructions_sent_at: '2026-12-07T14:00:00.000Z',
          ended_at: '2026-12-07T14:00:00.000Z',
        }),
        // Initiated on Thursday: late. Still open.
        row({ domain: 'b.edu', initiated_at: '2026-11-05T14:00:00.000Z', reminders_sent: 1 }),
        // Never initiated and still waiting: missed. Cancelled before its deadline: not missed.
        row({ domain: 'c.edu', stage: 'awaiting-initiation' }),
        row({ domain: 'd.edu', stage: 'cancelled', ended_at: '2026-11-03T15:00:00.000Z' }),
        // Signed the day it came in, recorded a month later (`execute --on`): 0 days to execution.
        row({
          domain: 'e.edu',
          stage: 'completed',
          executed_at: '2026-12-02T15:00:00.000Z',
          ended_at: '2026-12-02T15:00:00.000Z',
          status_json: JSON.stringify({ signedOn: '2026-11-02' }),
        }),
        // A request the list covered: answered, counted apart, no agreement.
        row({ domain: 'f.edu', stage: 'not-needed', ended_at: '2026-11-02T15:00:05.000Z' }),
      ],
      now,
    );
    assert.ok(!report.agreements.some((a) => a.domain === 'f.edu'));
    const by = Object.fromEntries(report.agreements.map((a) => [a.domain, a]));
    assert.equal(by['a.edu']!.businessDaysToInitiation, 2);
    assert.equal(by['a.edu']!.initiationDeadlineMissed, false);
    assert.equal(by['a.edu']!.daysToExecution, 30);
    assert.equal(by['e.edu']!.daysToExecution, 0);
    assert.equal(by['a.edu']!.instructionsDeadlineMissed, true);
    assert.equal(by['b.edu']!.businessDaysToInitiation, 3);
    assert.equal(by['b.edu']!.initiationDeadlineMissed, true);
    assert.equal(by['c.edu']!.initiationDeadlineMissed, true);
    assert.equal(by['d.edu']!.initiationDeadlineMissed, false);
    assert.deepEqual(report.summary, {
      agreements: 5,
      open: 2,
      initiated: 2,
      medianBusinessDaysToInitiation: 2.5,
      initiationDeadlinesMissed: 3,
      executed: 2,
      medianDaysToExecution: 15,
      instructionsSent: 1,
      instructionsDeadlinesMissed: 1,
      remindersSent: 3,
      notNeeded: 1,
    });
  });
});
