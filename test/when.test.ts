/**
 * Dates and times typed by people (common/when.ts). Expected instants worked out by hand: New York is
 * UTC-5 (EST) and UTC-4 (EDT); DST 2026 starts Sun 2026-03-08 02:00 EST (07:00Z) and ends Sun
 * 2026-11-01 02:00 EDT (06:00Z); weekdays checked with `date -d`.
 */
import { strict as assert } from 'node:assert';
import * as sinon from 'sinon';
import {
  dateInWords,
  digitsOrderHint,
  inShortWords,
  inWords,
  newYorkDate,
  parseWhen,
  readAs,
  readWhen,
  WhenError,
  type When,
  type WhenOptions,
} from '../common/when';

const HINT =
  'use YYYY-MM-DD (a New York date), a New York time such as 2026-12-25T09:00, or an instant such as 2026-12-25T09:00-05:00';

function read(text: string, options?: { dateOnly?: boolean }): When {
  const r = readWhen(text, options);
  assert.ok(!('problem' in r), `${text}: ${'problem' in r ? r.problem : ''}`);
  return r;
}
const problem = (text: string, options?: WhenOptions) => {
  const r = readWhen(text, options);
  assert.ok('problem' in r, `${text} was accepted`);
  return r.problem;
};

describe('dates and times typed by people (common/when.ts)', () => {
  describe('accepted', () => {
    // [typed, form, New York date, instant]
    const rows: [string, When['form'], string, string][] = [
      // A date: the start of that day in New York.
      ['2026-11-25', 'date', '2026-11-25', '2026-11-25T05:00:00.000Z'],
      ['2026-07-04', 'date', '2026-07-04', '2026-07-04T04:00:00.000Z'],
      ['2028-02-29', 'date', '2028-02-29', '2028-02-29T05:00:00.000Z'],
      ['2026-03-08', 'date', '2026-03-08', '2026-03-08T05:00:00.000Z'], // spring-forward day: midnight is EST
      ['2026-11-01', 'date', '2026-11-01', '2026-11-01T04:00:00.000Z'], // fall-back day: midnight is EDT
      ['  2026-11-25 ', 'date', '2026-11-25', '2026-11-25T05:00:00.000Z'],
      // An instant: Z or an offset.
      ['2026-11-25T10:00:00Z', 'instant', '2026-11-25', '2026-11-25T10:00:00.000Z'],
      ['2026-11-25T10:00Z', 'instant', '2026-11-25', '2026-11-25T10:00:00.000Z'],
      ['2026-11-25T10:00-05:00', 'instant', '2026-11-25', '2026-11-25T15:00:00.000Z'],
      ['2026-11-25T10:00:30.250+01:00', 'instant', '2026-11-25', '2026-11-25T09:00:30.250Z'],
      ['2026-11-25 10:00Z', 'instant', '2026-11-25', '2026-11-25T10:00:00.000Z'],
      ['2026-11-26T03:00:00Z', 'instant', '2026-11-25', '2026-11-26T03:00:00.000Z'], // 22:00 EST the day before
      // No zone: New York time.
      ['2026-12-24T10:00', 'new-york-time', '2026-12-24', '2026-12-24T15:00:00.000Z'],
      ['2026-12-24 10:00', 'new-york-time', '2026-12-24', '2026-12-24T15:00:00.000Z'],
      ['2026-11-25T10:00:00', 'new-york-time', '2026-11-25', '2026-11-25T15:00:00.000Z'],
      ['2026-07-01T23:59', 'new-york-time', '2026-07-01', '2026-07-02T03:59:00.000Z'],
      ['2026-03-08T01:59', 'new-york-time', '2026-03-08', '2026-03-08T06:59:00.000Z'], // last EST minute
      ['2026-03-08T03:00', 'new-york-time', '2026-03-08', '2026-03-08T07:00:00.000Z'], // first EDT one
      ['2026-11-01T00:30', 'new-york-time', '2026-11-01', '2026-11-01T04:30:00.000Z'],
      ['2026-11-01T02:30', 'new-york-time', '2026-11-01', '2026-11-01T07:30:00.000Z'], // after fall-back: EST
    ];
    for (const [typed, form, date, at] of rows)
      it(`${JSON.stringify(typed)} → ${form} ${date} ${at}`, () => {
        const r = read(typed);
        assert.deepEqual([r.form, r.date, r.at.toISOString(), r.text], [form, date, at, typed.trim()]);
        assert.equal(r.repeated, undefined);
      });

    it('a time repeated when clocks fall back is the first of the two (EDT), and says so', () => {
      const r = read('2026-11-01T01:30');
      assert.equal(r.at.toISOString(), '2026-11-01T05:30:00.000Z');
      assert.equal(r.repeated, true);
      assert.equal(
        readAs('--until', r),
        '--until 2026-11-01T01:30 read as Sunday, November 1, 2026, 1:30 AM ET (EDT: the first of the two that night)',
      );
      // The second one is typed with its offset.
      assert.equal(read('2026-11-01T01:30-05:00').at.toISOString(), '2026-11-01T06:30:00.000Z');
    });

    it('dateOnly: a date, and nothing else', () => {
      assert.equal(read('2026-11-25', { dateOnly: true }).date, '2026-11-25');
      assert.equal(
        problem('2026-11-25T10:00Z', { dateOnly: true }),
        '2026-11-25T10:00Z is not a date; use YYYY-MM-DD (a New York date)',
      );
      // A New York time after the date (a trial's `execute --on "2026-12-01 10:00"`): the date alone.
      assert.equal(
        problem('2026-12-01 10:00', { dateOnly: true }),
        '2026-12-01 10:00 is not a date dura reads (a date without its time: type 2026-12-01); use YYYY-MM-DD (a New York date)',
      );
      assert.equal(
        problem('Dec 1 2026', { dateOnly: true }),
        'Dec 1 2026 is not a date dura reads (for December 1, 2026 type 2026-12-01); use YYYY-MM-DD (a New York date)',
      );
    });
  });

  describe('refused, saying what to type', () => {
    const shapes = ['20261225', '2026-11-25T10', '1700000000', '13/13', 'Decembre 25'];
    for (const typed of shapes)
      it(JSON.stringify(typed), () => assert.equal(problem(typed), `${typed} is not a date; ${HINT}`));

    it('a date in digits as spreadsheets write it: each real reading given as YYYY-MM-DD, none chosen', () => {
      const readings: Array<[string, string]> = [
        ['12/25/2026', 'for December 25, 2026 type 2026-12-25'],
        ['25.12.2026', 'for December 25, 2026 type 2026-12-25'],
        ['12/1/2026', 'for December 1, 2026 type 2026-12-01; for January 12, 2026 type 2026-01-12'],
        ['1-1-2026', 'for January 1, 2026 type 2026-01-01'],
      ];
      for (const [typed, meant] of readings)
        assert.equal(problem(typed), `${typed} is not a date dura reads (${meant}); ${HINT}`);
      // With the month's name: its one reading (a trial's "Dec 3 2026").
      assert.equal(
        problem('December 25, 2026'),
        `December 25, 2026 is not a date dura reads (for December 25, 2026 type 2026-12-25); ${HINT}`,
      );
      // No reading is a real date: nothing to suggest.
      assert.equal(problem('2/30/2026'), `2/30/2026 is not a date; ${HINT}`);
      // One-digit month or day, and a day in words (a trial's `2026-12-1`, `yesterday`): their one reading.
      assert.equal(
        problem('2026-1-5'),
        `2026-1-5 is not a date dura reads (for January 5, 2026 type 2026-01-05); ${HINT}`,
      );
      const tomorrow = new Date(Date.now() + 86_400_000).toLocaleDateString('en-CA', {
        timeZone: 'America/New_York',
      });
      assert.match(
        problem('Tomorrow'),
        new RegExp(`^Tomorrow is not a date dura reads \\(for \\w+ \\d+, \\d{4} type ${tomorrow}\\); `),
      );
    });

    it("a two-digit year is 20yy (Excel's 3/4/26, a hand-typed 12/2/26): read in order, or its readings", () => {
      const month = readWhen('3/4/26', { digits: 'month-first' });
      assert.equal('date' in month && month.date, '2026-03-04');
      const day = readWhen('3/4/26 9:15 PM', { digits: 'day-first' });
      assert.equal('date' in day && day.date, '2026-04-03');
      assert.equal(
        problem('12/2/26', { dateOnly: true }).split(';')[0],
        '12/2/26 is not a date dura reads (for December 2, 2026 type 2026-12-02',
      );
      assert.match(
        problem('31/2/26', { digits: 'day-first' }),
        /^31\/2\/26 is not a calendar date \(day-first\): February 2026 has 28 days$/,
      );
    });

    it('digits: a date in digits read in the order the person said (--dates), or why it is none', () => {
      const month = readWhen('3/4/2026', { digits: 'month-first' });
      const day = readWhen('3/4/2026', { digits: 'day-first' });
      assert.deepEqual(
        ['date' in month && month.date, 'date' in day && day.date],
        ['2026-03-04', '2026-04-03'],
      );
      const evening = readWhen('11/30/2026 9:15 PM', { digits: 'month-first' });
      assert.ok('at' in evening);
      assert.deepEqual(
        [evening.form, evening.at.toISOString()],
        ['new-york-time', '2026-12-01T02:15:00.000Z'],
      );
      const dateOnly = readWhen('11/30/2026 9:15 PM', { digits: 'month-first', dateOnly: true });
      assert.ok('form' in dateOnly && dateOnly.form === 'date' && dateOnly.date === '2026-11-30');
      assert.deepEqual(readWhen('13/4/2026', { digits: 'month-first' }), {
        problem: '13/4/2026 is not a date month-first: there is no month 13',
      });
      assert.deepEqual(readWhen('2/30/2026', { digits: 'month-first' }), {
        problem: '2/30/2026 is not a calendar date (month-first): February 2026 has 28 days',
      });
      // With the month's name and year (a trial's spreadsheet column of "3 Nov 2026"): read in either order.
      for (const typed of ['3 Nov 2026', 'Nov 3, 2026', 'November 3 2026', '3 November 2026'])
        for (const digits of ['month-first', 'day-first'] as const) {
          const read = readWhen(typed, { digits, dateOnly: true });
          assert.ok(
            'date' in read && read.date === '2026-11-03' && read.form === 'date',
            `${typed} ${digits}`,
          );
        }
      // Not without --dates, and a month name without its year never: its year would be a guess.
      assert.ok('problem' in readWhen('3 Nov 2026', { dateOnly: true }));
      assert.ok('problem' in readWhen('3 Nov', { digits: 'month-first' }));
      assert.equal(
        digitsOrderHint(['3 Nov 2026 is not a date dura reads (for November 3, 2026 type 2026-11-03); x']),
        "\nDates with the month's name (3 Nov 2026): --dates month-first or --dates day-first reads them as well",
      );
      assert.match(
        digitsOrderHint(['11/3/2026 is not a date dura reads (for November 3, 2026 type 2026-11-03); x']),
        /^\nDates in digits: say which comes first/,
      );
      assert.equal(digitsOrderHint(['x is not a date; y']), '');
      // Refused with a reading, but not what --dates reads: no hint.
      assert.equal(
        digitsOrderHint([
          'yesterday is not a date dura reads (for December 1, 2026 type 2026-12-01); x',
          '2026/11/20 is not a date dura reads (for November 20, 2026 type 2026-11-20); x',
        ]),
        '',
      );
      // Excel's own forms, and a weekday that does not match its date (no date at all).
      for (const typed of ['30-Nov-2026', 'Monday, November 30, 2026', 'Mon, Nov 30, 2026']) {
        const read = readWhen(typed, { digits: 'month-first', dateOnly: true });
        assert.ok('date' in read && read.date === '2026-11-30', typed);
      }
      assert.ok('problem' in readWhen('Tuesday, November 30, 2026', { digits: 'month-first' }));
      // A file with both kinds refused: both hints.
      assert.match(
        digitsOrderHint([
          '11/3/2026 is not a date dura reads (for November 3, 2026 type 2026-11-03); x',
          '3 Nov 2026 is not a date dura reads (for November 3, 2026 type 2026-11-03); x',
        ]),
        /^\nDates in digits: .*\nDates with the month's name \(3 Nov 2026\): .* reads them too$/,
      );
    });

    it('a date in digits with a time, as Excel writes it: each reading as New York time; zone letters refused', () => {
      assert.equal(
        problem('11/30/2026 9:15'),
        `11/30/2026 9:15 is not a date dura reads (for November 30, 2026, 9:15 AM New York time type 2026-11-30T09:15); ${HINT}`,
      );
      assert.match(
        problem('2/3/2026 9:15 PM'),
        /\(for February 3, 2026, 9:15 PM New York time type 2026-02-03T21:15; for March 2, 2026, 9:15 PM New York time type 2026-03-02T21:15\)/,
      );
      assert.equal(problem('11/30/2026 25:00'), `11/30/2026 25:00 is not a date; ${HINT}`);
      // A date alone is asked for: the date's readings only.
      assert.match(
        problem('11/30/2026 9:15', { dateOnly: true }),
        /\(for November 30, 2026 type 2026-11-30\)/,
      );
      assert.equal(
        problem('2026-11-30T10:00 EST'),
        "2026-11-30T10:00 EST is not a date dura reads (a zone's letters are not: for New York time type 2026-11-30T10:00)",
      );
    });

    it('a date without its year, or year first with slashes: the readings, each in its nearest year on the side asked', () => {
      const clock = sinon.useFakeTimers({ now: Date.parse('2026-12-02T15:00:00Z'), toFake: ['Date'] });
      try {
        assert.equal(
          problem('2026/12/25'),
          `2026/12/25 is not a date dura reads (for December 25, 2026 type 2026-12-25); ${HINT}`,
        );
        // Past (a signing date): the last December 3 and the last March 12.
        assert.equal(
          problem('12/3', { dateOnly: true, expect: 'past' }),
          '12/3 is not a date dura reads (for December 3, 2025 type 2025-12-03; for March 12, 2026 type 2026-03-12); use YYYY-MM-DD (a New York date)',
        );
        // Future (a pause's end): the next of each.
        assert.match(
          problem('12/3', { expect: 'future' }),
          /for December 3, 2026 .*; for March 12, 2027 type 2027-03-12\)/,
        );
        assert.match(problem('Dec 3', { expect: 'past' }), /\(for December 3, 2025 type 2025-12-03\)/);
        assert.match(problem('3 December'), /\(for December 3, 2026 type 2026-12-03\)/);
        // Only one real reading: day 25 is no month.
        assert.match(problem('12/25', { expect: 'future' }), /\(for December 25, 2026 type 2026-12-25\);/);
      } finally {
        clock.restore();
      }
    });

    it('a value that must be past or future is offered only the readings on that side of today', () => {
      const clock = sinon.useFakeTimers({ now: Date.parse('2026-12-02T15:00:00Z'), toFake: ['Date'] });
      try {
        const future = problem('12/8/2026', { expect: 'future' });
        assert.equal(
          future,
          `12/8/2026 is not a date dura reads (for December 8, 2026 type 2026-12-08); ${HINT}`,
        );
        const past = problem('12/8/2026', { expect: 'past' });
        assert.equal(
          past,
          `12/8/2026 is not a date dura reads (for August 12, 2026 type 2026-08-12); ${HINT}`,
        );
        // Both readings on the wrong side: both offered, each said to be (a trial typed the past date
        // offered for `--until 13/01/2026`, and was refused).
        assert.match(
          problem('3/4/2026', { expect: 'future' }),
          /for March 4, 2026 type 2026-03-04, though that is past; for April 3, 2026 type 2026-04-03, though that is past\)/,
        );
        assert.match(
          problem('13/01/2027', { expect: 'past' }),
          /\(for January 13, 2027 type 2027-01-13, though that is in the future\)/,
        );
        // No side asked: both, month first.
        assert.match(problem('12/8/2026'), /for December 8, 2026 .*; for August 12, 2026 /);
        // One reading (a day in words, a month's name) on the wrong side is said so too (a trial typed
        // the 2026-12-04 offered for `--received-at tomorrow`, and was refused as future).
        assert.match(
          problem('tomorrow', { expect: 'past' }),
          /\(for December 3, 2026 type 2026-12-03, though that is in the future\)/,
        );
        assert.match(
          problem('yesterday', { expect: 'future' }),
          /\(for December 1, 2026 type 2026-12-01, though that is past\)/,
        );
        assert.match(problem('yesterday', { expect: 'past' }), /\(for December 1, 2026 type 2026-12-01\)/);
        // An ordinal and a weekday in words get their reading too (a trial's "Dec 1st", "next friday").
        assert.match(problem('Dec 1st', { expect: 'past' }), /\(for December 1, 2026 type 2026-12-01\)/);
        assert.match(
          problem('next Friday', { expect: 'future' }),
          /\(for December 4, 2026 type 2026-12-04\)/,
        );
        assert.match(problem('wednesday', { expect: 'future' }), /\(for December 9, 2026 type 2026-12-09\)/);
        assert.match(problem('last friday', { expect: 'past' }), /\(for November 27, 2026 type 2026-11-27\)/);
        assert.match(
          problem('Jan 5, 2027', { expect: 'past' }),
          /\(for January 5, 2027 type 2027-01-05, though that is in the future\)/,
        );
      } finally {
        clock.restore();
      }
    });

    it('impossible dates and times', () => {
      assert.equal(problem('2026-02-30'), '2026-02-30 is not a calendar date: February 2026 has 28 days');
      assert.equal(problem('2027-02-29'), '2027-02-29 is not a calendar date: February 2027 has 28 days');
      assert.equal(problem('2026-04-31'), '2026-04-31 is not a calendar date: April 2026 has 30 days');
      // Day and month swapped: the date it likely was.
      assert.equal(
        problem('2026-13-01'),
        '2026-13-01 is not a calendar date: there is no month 13 (for January 13, 2026 type 2026-01-13)',
      );
      // Only on the side of today the field expects (a signing date: the past).
      const clock = sinon.useFakeTimers({ now: Date.parse('2026-12-02T15:00:00Z'), toFake: ['Date'] });
      try {
        const signed = (text: string) => (readWhen(text, { expect: 'past' }) as { problem: string }).problem;
        assert.equal(signed('2026-13-01'), problem('2026-13-01'));
        assert.equal(signed('2026-23-12'), '2026-23-12 is not a calendar date: there is no month 23');
        const due = (text: string) => (readWhen(text, { expect: 'future' }) as { problem: string }).problem;
        assert.equal(due('2026-13-01'), '2026-13-01 is not a calendar date: there is no month 13');
        assert.match(due('2026-23-12'), /\(for December 23, 2026 type 2026-12-23\)$/);
      } finally {
        clock.restore();
      }
      assert.equal(problem('2026-14-15'), '2026-14-15 is not a calendar date: there is no month 14');
      assert.equal(problem('2026-00-10'), '2026-00-10 is not a calendar date: there is no month 0');
      assert.equal(
        problem('2026-02-30T00:00:00Z'),
        '2026-02-30T00:00:00Z is not a calendar date: February 2026 has 28 days',
      );
      assert.equal(problem('2026-11-20T25:00:00Z'), `2026-11-20T25:00:00Z is not a time of day; ${HINT}`);
      assert.equal(problem('2026-11-20T24:00'), `2026-11-20T24:00 is not a time of day; ${HINT}`);
      assert.equal(problem('2026-11-20T10:60'), `2026-11-20T10:60 is not a time of day; ${HINT}`);
      assert.equal(
        problem('2026-11-25T10:00+25:00'),
        `2026-11-25T10:00+25:00 has no valid UTC offset; ${HINT}`,
      );
    });

    it('a New York time skipped when clocks spring forward', () => {
      assert.equal(
        problem('2026-03-08T02:30'),
        `2026-03-08T02:30 does not exist in New York (clocks jump from 2:00 to 3:00 AM that night); ${HINT}`,
      );
      assert.equal(read('2026-03-08T02:30-05:00').at.toISOString(), '2026-03-08T07:30:00.000Z');
    });

    it('nothing typed', () => {
      assert.equal(problem(''), 'required');
      assert.equal(problem('   '), 'required');
    });

    it('parseWhen names the flag or column first', () => {
      assert.throws(
        () => parseWhen('12/25/2026', '--until'),
        (err: Error) =>
          err instanceof WhenError &&
          err.message ===
            `--until: 12/25/2026 is not a date dura reads (for December 25, 2026 type 2026-12-25); ${HINT}`,
      );
      assert.equal(parseWhen('2026-12-25', 'received_at').at.toISOString(), '2026-12-25T05:00:00.000Z');
    });
  });

  describe('echo: how a value was read', () => {
    it('a time without a zone, in New York time in words', () => {
      assert.equal(
        readAs('--until', read('2026-12-24T10:00')),
        '--until 2026-12-24T10:00 read as Thursday, December 24, 2026, 10:00 AM ET',
      );
    });

    it('a date, as the flag means it (default: the start of that day)', () => {
      assert.equal(
        readAs('--received-at', read('2026-11-25')),
        '--received-at 2026-11-25 read as Wednesday, November 25, 2026, 12:00 AM ET (the start of that day in New York)',
      );
      assert.equal(
        readAs('--until', read('2026-12-25'), 'Christmas'),
        '--until 2026-12-25 read as Christmas',
      );
    });

    it('nothing for an instant: its zone says it', () => {
      assert.equal(readAs('--until', read('2026-12-24T10:00-05:00')), undefined);
    });
  });

  describe('for people: New York time in words', () => {
    it('inWords, inShortWords', () => {
      assert.equal(inWords('2026-12-01T22:00:00Z'), 'Tuesday, December 1, 2026, 5:00 PM ET');
      assert.equal(inWords(new Date('2026-07-02T03:59:00Z')), 'Wednesday, July 1, 2026, 11:59 PM ET');
      assert.equal(inWords(Date.parse('2026-11-01T05:30:00Z')), 'Sunday, November 1, 2026, 1:30 AM ET');
      assert.equal(inWords('2026-11-01T06:30:00Z'), 'Sunday, November 1, 2026, 1:30 AM ET');
      assert.equal(inWords('2026-11-30T17:00:00.000Z'), 'Monday, November 30, 2026, 12:00 PM ET');
      assert.equal(inShortWords('2026-12-01T22:00:00Z'), 'Tue, Dec 1, 2026, 5:00 PM ET');
    });

    it('dateInWords: a New York date, or an instant’s', () => {
      assert.equal(dateInWords('2026-12-01'), 'Tuesday, December 1, 2026');
      assert.equal(dateInWords('2026-11-29', 'short'), 'Sun, Nov 29, 2026');
      assert.equal(dateInWords(new Date('2026-11-30T04:25:00Z')), 'Sunday, November 29, 2026');
      assert.equal(dateInWords('2026-11-30T05:00:00.000Z'), 'Monday, November 30, 2026');
    });

    it('newYorkDate', () => {
      assert.equal(newYorkDate('2026-11-30T04:59:59Z'), '2026-11-29');
      assert.equal(newYorkDate(new Date('2026-11-30T05:00:00Z')), '2026-11-30');
      assert.equal(newYorkDate('2026-07-01T03:59:59Z'), '2026-06-30');
      assert.equal(newYorkDate('2026-07-01T04:00:00Z'), '2026-07-01');
    });

    it('does not depend on the process time zone', () => {
      const zone = process.env.TZ;
      try {
        process.env.TZ = 'Asia/Tokyo';
        assert.equal(read('2026-12-24T10:00').at.toISOString(), '2026-12-24T15:00:00.000Z');
        assert.equal(inWords('2026-12-01T22:00:00Z'), 'Tuesday, December 1, 2026, 5:00 PM ET');
      } finally {
        if (zone === undefined) delete process.env.TZ;
        else process.env.TZ = zone;
      }
    });
  });
});
