/**
 * Business-day calendar (design.md, "Business days"). Every expected value below was worked out by hand
 * from a real calendar (weekdays checked with `date -d`), never computed by the module under test.
 * New York DST: 2025-03-09/11-02, 2026-03-08/11-01, 2027-03-14/11-07, 2028-03-12/11-05,
 * 2029-03-11/11-04, 2030-03-10/11-03. 17:00 EDT = 21:00Z, 17:00 EST = 22:00Z; 09:00 EDT = 13:00Z,
 * 09:00 EST = 14:00Z.
 */
import { strict as assert } from 'node:assert';
import { allForYear } from '@18f/us-federal-holidays';
import {
  BUSINESS_TIME_ZONE,
  addBusinessDays,
  atLocalTime,
  businessDeadline,
  isBusinessDay,
  localDate,
  nextBusinessDay,
  observedHolidays,
  reminderDueAt,
} from '../common/calendar';

// [what it covers, received (UTC), business days, deadline (UTC)]
const deadlineRows: [string, string, number, string][] = [
  // One row per holiday kind inside the window.
  [
    'New Year 2026 (Thu): Wed Dec 31 → Fri Jan 2, Mon Jan 5',
    '2025-12-31T15:00:00Z',
    2,
    '2026-01-05T22:00:00Z',
  ],
  ['MLK 2025 (Mon Jan 20): Fri → Tue 21, Wed 22', '2025-01-17T14:00:00Z', 2, '2025-01-22T22:00:00Z'],
  ['MLK 2030 (Mon Jan 21): Fri → Tue 22', '2030-01-18T15:00:00Z', 1, '2030-01-22T22:00:00Z'],
  [
    "Washington's Birthday 2026 (Mon Feb 16): Fri 15:00 EST → Tue",
    '2026-02-13T20:00:00Z',
    1,
    '2026-02-17T22:00:00Z',
  ],
  [
    "Washington's Birthday 2028 (Mon Feb 21): Fri → Tue, Wed",
    '2028-02-18T15:00:00Z',
    2,
    '2028-02-23T22:00:00Z',
  ],
  ['Memorial Day 2025 (Mon May 26): Fri → Tue', '2025-05-23T15:00:00Z', 1, '2025-05-27T21:00:00Z'],
  [
    'Memorial Day 2027 (Mon May 31): Fri → Tue Jun 1, Wed Jun 2',
    '2027-05-28T13:00:00Z',
    2,
    '2027-06-02T21:00:00Z',
  ],
  ['Juneteenth 2025 (Thu): Wed → Fri 20, Mon 23', '2025-06-18T16:00:00Z', 2, '2025-06-23T21:00:00Z'],
  ['Juneteenth 2026 (Fri): Thu → Mon 22', '2026-06-18T15:00:00Z', 1, '2026-06-22T21:00:00Z'],
  [
    'Juneteenth 2027 Sat, observed Fri Jun 18: Thu → Mon 21',
    '2027-06-17T14:00:00Z',
    1,
    '2027-06-21T21:00:00Z',
  ],
  ['Independence Day 2025 (Fri): Thu → Mon 7', '2025-07-03T15:00:00Z', 1, '2025-07-07T21:00:00Z'],
  [
    'Independence Day 2026 Sat, observed Fri Jul 3: Thu → Mon 6',
    '2026-07-02T15:00:00Z',
    1,
    '2026-07-06T21:00:00Z',
  ],
  [
    'Independence Day 2027 Sun, observed Mon Jul 5: Fri → Tue, Wed',
    '2027-07-02T18:00:00Z',
    2,
    '2027-07-07T21:00:00Z',
  ],
  ['Labor Day 2028 (Mon Sep 4): Fri → Tue, Wed', '2028-09-01T19:00:00Z', 2, '2028-09-06T21:00:00Z'],
  ['Labor Day 2030 (Mon Sep 2): Fri → Tue, Wed', '2030-08-30T15:00:00Z', 2, '2030-09-04T21:00:00Z'],
  ['Columbus Day 2025 (Mon Oct 13): Fri → Tue', '2025-10-10T15:00:00Z', 1, '2025-10-14T21:00:00Z'],
  ['Columbus Day 2029 (Mon Oct 8): Fri → Tue, Wed', '2029-10-05T14:00:00Z', 2, '2029-10-10T21:00:00Z'],
  ['Veterans Day 2025 (Tue): Mon → Wed 12', '2025-11-10T15:00:00Z', 1, '2025-11-12T22:00:00Z'],
  [
    'Veterans Day 2028 Sat, observed Fri Nov 10: Thu → Mon, Tue',
    '2028-11-09T15:00:00Z',
    2,
    '2028-11-14T22:00:00Z',
  ],
  [
    'Veterans Day 2029 Sun, observed Mon Nov 12: Fri → Tue',
    '2029-11-09T15:00:00Z',
    1,
    '2029-11-13T22:00:00Z',
  ],
  [
    'Thanksgiving 2025 (Thu 27; Fri 28 is no holiday): Wed → Fri, Mon',
    '2025-11-26T15:00:00Z',
    2,
    '2025-12-01T22:00:00Z',
  ],
  ['Thanksgiving 2029 (Thu 22): Wed → Fri', '2029-11-21T15:00:00Z', 1, '2029-11-23T22:00:00Z'],
  ['Christmas 2025 (Thu): Wed → Fri 26', '2025-12-24T15:00:00Z', 1, '2025-12-26T22:00:00Z'],
  ['Christmas 2026 (Fri): Thu → Mon 28', '2026-12-24T15:00:00Z', 1, '2026-12-28T22:00:00Z'],
  [
    'Christmas 2027 Sat, observed Fri Dec 24: Thu → Mon 27, Tue 28',
    '2027-12-23T15:00:00Z',
    2,
    '2027-12-28T22:00:00Z',
  ],
  ['Christmas 2028 (Mon): Fri → Tue 26', '2028-12-22T15:00:00Z', 1, '2028-12-26T22:00:00Z'],
  [
    'Christmas 2029 (Tue) in a 5-day window: Fri Dec 21 → Mon 24..Mon 31',
    '2029-12-21T15:00:00Z',
    5,
    '2029-12-31T22:00:00Z',
  ],
  // New Year's Day across the year boundary.
  ['New Year 2027 (Fri): Thu Dec 31 → Mon Jan 4', '2026-12-31T15:00:00Z', 1, '2027-01-04T22:00:00Z'],
  [
    'New Year 2028 Sat, observed Fri 2027-12-31: Thu → Mon Jan 3',
    '2027-12-30T15:00:00Z',
    1,
    '2028-01-03T22:00:00Z',
  ],
  ['New Year 2028 observed 2027-12-31: Thu → Jan 3, 4, 5', '2027-12-30T15:00:00Z', 3, '2028-01-05T22:00:00Z'],
  ['New Year 2029 (Mon): Fri Dec 29 → Tue Jan 2', '2028-12-29T15:00:00Z', 1, '2029-01-02T22:00:00Z'],
  ['New Year 2030 (Tue): Mon Dec 31 → Wed Jan 2', '2029-12-31T15:00:00Z', 1, '2030-01-02T22:00:00Z'],
  // DST.
  [
    'spring-forward 2026-03-08: Fri 10:00 EST → Mon 17:00 EDT',
    '2026-03-06T15:00:00Z',
    1,
    '2026-03-09T21:00:00Z',
  ],
  ['spring-forward 2026-03-08: Fri → Tue 17:00 EDT', '2026-03-06T15:00:00Z', 2, '2026-03-10T21:00:00Z'],
  [
    'spring-forward 2027-03-14: Fri 23:30 EST (Sat 04:30Z) → Mon',
    '2027-03-13T04:30:00Z',
    1,
    '2027-03-15T21:00:00Z',
  ],
  ['received Sun 2026-03-08 01:59 EST, before the jump', '2026-03-08T06:59:00Z', 1, '2026-03-09T21:00:00Z'],
  [
    'received Sun 2026-03-08 03:00 EDT, just after the jump',
    '2026-03-08T07:00:00Z',
    1,
    '2026-03-09T21:00:00Z',
  ],
  ['fall-back 2025-11-02: Fri → Mon 17:00 EST', '2025-10-31T15:00:00Z', 1, '2025-11-03T22:00:00Z'],
  ['fall-back 2026-11-01: Fri 10:00 EDT → Tue 17:00 EST', '2026-10-30T14:00:00Z', 2, '2026-11-03T22:00:00Z'],
  ['fall-back 2028-11-05: Fri 16:30 EDT → Mon 17:00 EST', '2028-11-03T20:30:00Z', 1, '2028-11-06T22:00:00Z'],
  [
    'received 01:30 EDT in the repeated hour of 2026-11-01',
    '2026-11-01T05:30:00Z',
    1,
    '2026-11-02T22:00:00Z',
  ],
  [
    'received 01:30 EST in the repeated hour of 2026-11-01',
    '2026-11-01T06:30:00Z',
    1,
    '2026-11-02T22:00:00Z',
  ],
  // Weekend, after-hours, and UTC-vs-New-York date.
  ['weekend receipt: Sat 2026-03-07 → Mon', '2026-03-07T16:00:00Z', 1, '2026-03-09T21:00:00Z'],
  ['weekend receipt: Sun 2029-03-11 (DST day) → Mon', '2029-03-11T16:00:00Z', 1, '2029-03-12T21:00:00Z'],
  [
    'Fri 23:30 EST = Sat 04:30Z, still Friday in NY → Mon, Tue',
    '2026-01-10T04:30:00Z',
    2,
    '2026-01-13T22:00:00Z',
  ],
  [
    'Thu 23:30 EST = Fri 04:30Z, still Thursday in NY → Fri',
    '2026-01-09T04:30:00Z',
    1,
    '2026-01-09T22:00:00Z',
  ],
  ['Wed 00:30Z = Tue 20:30 EDT → Wed', '2026-06-10T00:30:00Z', 1, '2026-06-10T21:00:00Z'],
  ['Mon 00:00 EDT exactly → Tue', '2026-06-08T04:00:00Z', 1, '2026-06-09T21:00:00Z'],
  ['Sun 23:59 EDT → Mon', '2026-06-08T03:59:00Z', 1, '2026-06-08T21:00:00Z'],
  [
    'after 17:00 on a business day still counts that day as day 0',
    '2030-04-10T22:30:00Z',
    2,
    '2030-04-12T21:00:00Z',
  ],
  ['received on a holiday (Memorial Day 2030) → Tue', '2030-05-27T14:00:00Z', 1, '2030-05-28T21:00:00Z'],
  // Longer windows.
  [
    '10 days over Thanksgiving 2030: Mon Nov 18 → Tue Dec 3',
    '2030-11-18T15:00:00Z',
    10,
    '2030-12-03T22:00:00Z',
  ],
  [
    '20 days over Juneteenth 2028 (Mon): Thu Jun 1 → Fri Jun 30',
    '2028-06-01T15:00:00Z',
    20,
    '2028-06-30T21:00:00Z',
  ],
];

// [what it covers, previous (UTC), every days, due (UTC)]
const reminderRows: [string, string, number, string][] = [
  ['plain business day keeps the wall clock', '2026-01-06T15:00:00Z', 14, '2026-01-20T15:00:00Z'],
  ['lands on MLK 2026 (Mon Jan 19) → Tue 09:00 EST', '2026-01-05T15:00:00Z', 14, '2026-01-20T14:00:00Z'],
  ['MLK 2029 (Mon Jan 15) → Tue 09:00 EST', '2029-01-01T15:00:00Z', 14, '2029-01-16T14:00:00Z'],
  [
    "day after Washington's Birthday 2030 keeps seconds and ms",
    '2030-02-05T15:45:30.250Z',
    14,
    '2030-02-19T15:45:30.250Z',
  ],
  ['across spring-forward: 10:00 EST → 10:00 EDT', '2026-02-25T15:00:00Z', 14, '2026-03-11T14:00:00Z'],
  ['across fall-back: 10:00 EDT → 10:00 EST', '2026-10-22T14:00:00Z', 14, '2026-11-05T15:00:00Z'],
  ['lands on Sat → Mon 09:00 EDT', '2026-06-06T18:00:00Z', 14, '2026-06-22T13:00:00Z'],
  [
    'lands on Sun 2026-03-08 (02:30 does not exist) → Mon 09:00 EDT',
    '2026-02-22T07:30:00Z',
    14,
    '2026-03-09T13:00:00Z',
  ],
  ['lands on Sun 2027-11-07 (fall-back) → Mon 09:00 EST', '2027-10-22T20:00:00Z', 16, '2027-11-08T14:00:00Z'],
  ['lands on Memorial Day 2027 → Tue 09:00 EDT', '2027-05-17T13:00:00Z', 14, '2027-06-01T13:00:00Z'],
  ['lands on Juneteenth 2026 (Fri) → Mon 09:00 EDT', '2026-06-05T18:00:00Z', 14, '2026-06-22T13:00:00Z'],
  ['every 7 days, lands on Juneteenth 2030 (Wed) → Thu', '2030-06-12T14:00:00Z', 7, '2030-06-20T13:00:00Z'],
  ['lands on observed Jul 3 2026 → Mon Jul 6', '2026-06-19T18:00:00Z', 14, '2026-07-06T13:00:00Z'],
  ['lands on observed Jul 5 2027 → Tue', '2027-06-21T13:00:00Z', 14, '2027-07-06T13:00:00Z'],
  ['lands on Labor Day 2029 → Tue 09:00 EDT', '2029-08-20T19:15:00Z', 14, '2029-09-04T13:00:00Z'],
  ['lands on Columbus Day 2030 → Tue', '2030-09-30T14:00:00Z', 14, '2030-10-15T13:00:00Z'],
  [
    'lands on observed Veterans Day Fri 2028-11-10 → Mon 09:00 EST',
    '2028-10-27T14:00:00Z',
    14,
    '2028-11-13T14:00:00Z',
  ],
  [
    'lands on observed Veterans Day Mon 2029-11-12 → Tue 09:00 EST',
    '2029-10-29T14:00:00Z',
    14,
    '2029-11-13T14:00:00Z',
  ],
  ['lands on Thanksgiving 2029 → Fri 09:00 EST', '2029-11-08T15:00:00Z', 14, '2029-11-23T14:00:00Z'],
  ['lands on observed Christmas Fri 2027-12-24 → Mon 27', '2027-12-10T16:00:00Z', 14, '2027-12-27T14:00:00Z'],
  [
    'lands on 2027-12-31 (New Year 2028 observed) → Mon Jan 3',
    '2027-12-17T16:00:00Z',
    14,
    '2028-01-03T14:00:00Z',
  ],
  ['lands on Christmas 2028 (Mon) → Tue 26', '2028-12-11T16:00:00Z', 14, '2028-12-26T14:00:00Z'],
  ['previous at 00:30Z = Tue 20:30 EDT → Tue 20:30 EDT', '2026-04-01T00:30:00Z', 14, '2026-04-15T00:30:00Z'],
  ['previous Fri 23:30 EST (Sat 04:30Z) → Fri 23:30 EST', '2026-01-10T04:30:00Z', 14, '2026-01-24T04:30:00Z'],
];

describe('calendar', () => {
  it('uses New York time', () => assert.equal(BUSINESS_TIME_ZONE, 'America/New_York'));

  describe('businessDeadline (table)', () => {
    for (const [what, received, n, expected] of deadlineRows) {
      it(`${what}: ${received} +${n} → ${expected}`, () => {
        assert.equal(businessDeadline(new Date(received), n).toISOString(), new Date(expected).toISOString());
      });
    }
  });

  describe('reminderDueAt (table)', () => {
    for (const [what, previous, days, expected] of reminderRows) {
      it(`${what}: ${previous} +${days}d → ${expected}`, () => {
        assert.equal(reminderDueAt(new Date(previous), days).toISOString(), new Date(expected).toISOString());
      });
    }
  });

  describe('holiday source against the OPM rules', () => {
    const ymd = (y: number, m: number, d: number) =>
      new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
    const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
    // n-th (or, with n = -1, last) given weekday of a month, computed without the module or the package.
    const nth = (y: number, m: number, dow: number, n: number): string => {
      if (n === -1) {
        const last = new Date(Date.UTC(y, m, 0));
        return ymd(y, m, last.getUTCDate() - ((last.getUTCDay() - dow + 7) % 7));
      }
      const first = new Date(Date.UTC(y, m - 1, 1)).getUTCDay();
      return ymd(y, m, 1 + ((dow - first + 7) % 7) + 7 * (n - 1));
    };
    const statutory = (y: number): Record<string, string> => ({
      "New Year's Day": ymd(y, 1, 1),
      'Birthday of Martin Luther King, Jr.': nth(y, 1, 1, 3),
      "Washington's Birthday": nth(y, 2, 1, 3),
      'Memorial Day': nth(y, 5, 1, -1),
      'Juneteenth National Independence Day': ymd(y, 6, 19),
      'Independence Day': ymd(y, 7, 4),
      'Labor Day': nth(y, 9, 1, 1),
      'Columbus Day': nth(y, 10, 1, 2),
      'Veterans Day': ymd(y, 11, 11),
      'Thanksgiving Day': nth(y, 11, 4, 4),
      'Christmas Day': ymd(y, 12, 25),
    });
    const shift = (date: string, days: number) =>
      new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    const observe = (date: string) =>
      weekday(date) === 6 ? shift(date, -1) : weekday(date) === 0 ? shift(date, 1) : date;

    for (let year = 2025; year <= 2030; year++) {
      it(`${year}: exactly the 11 holidays, each on its statutory or OPM-shifted weekday`, () => {
        const expected = statutory(year);
        const source = allForYear(year);
        assert.deepEqual(source.map((h) => h.name).sort(), Object.keys(expected).sort());
        for (const h of source) {
          const stat = expected[h.name];
          assert.ok(stat, h.name);
          assert.ok(weekday(h.dateString) >= 1 && weekday(h.dateString) <= 5, `${h.name} ${h.dateString}`);
          assert.equal(h.dateString, observe(stat), h.name);
        }
        // observedHolidays is the same set re-bucketed by the observed date's year.
        const inYear = Object.values(expected).map(observe);
        const nextNewYear = observe(ymd(year + 1, 1, 1));
        const want = [...inYear, nextNewYear].filter((d) => d.startsWith(`${year}-`)).sort();
        assert.deepEqual(
          observedHolidays(year)
            .map((h) => h.date)
            .sort(),
          want,
        );
      });
    }

    it('matches OPM published observed dates (weekday checked)', () => {
      const opm: [string, number, string][] = [
        ['2026-07-03', 5, 'Independence Day'],
        ['2027-06-18', 5, 'Juneteenth National Independence Day'],
        ['2027-07-05', 1, 'Independence Day'],
        ['2027-12-24', 5, 'Christmas Day'],
        ['2027-12-31', 5, "New Year's Day"],
        ['2028-11-10', 5, 'Veterans Day'],
        ['2028-12-25', 1, 'Christmas Day'],
        ['2029-11-12', 1, 'Veterans Day'],
      ];
      for (const [date, dow, name] of opm) {
        assert.equal(weekday(date), dow, date);
        const year = Number(date.slice(0, 4));
        assert.ok(
          observedHolidays(year).some((h) => h.date === date && h.name === name),
          `${date} ${name}`,
        );
        assert.equal(isBusinessDay(date), false, date);
      }
    });

    it('puts New Year 2028 in 2027, not 2028; per-year counts', () => {
      assert.deepEqual(observedHolidays(2027).at(-1), { date: '2027-12-31', name: "New Year's Day" });
      assert.ok(!observedHolidays(2028).some((h) => h.name === "New Year's Day"));
      const counts = [2025, 2026, 2027, 2028, 2029, 2030].map((y) => observedHolidays(y).length);
      assert.deepEqual(counts, [11, 11, 12, 10, 11, 11]);
    });

    it('returns copies, so callers cannot corrupt the cache', () => {
      const first = observedHolidays(2026);
      first.pop();
      first[0]!.date = 'x';
      assert.equal(observedHolidays(2026).length, 11);
      assert.equal(observedHolidays(2026)[0]!.date, '2026-01-01');
    });
  });

  describe('localDate / atLocalTime around DST', () => {
    it('localDate', () => {
      assert.equal(localDate(new Date('2026-03-08T04:59:59Z')), '2026-03-07'); // 23:59:59 EST
      assert.equal(localDate(new Date('2026-03-08T05:00:00Z')), '2026-03-08'); // 00:00 EST
      assert.equal(localDate(new Date('2026-03-08T07:00:00Z')), '2026-03-08'); // 03:00 EDT
      assert.equal(localDate(new Date('2026-11-01T03:59:59Z')), '2026-10-31'); // 23:59:59 EDT
      assert.equal(localDate(new Date('2026-11-01T04:00:00Z')), '2026-11-01'); // 00:00 EDT
      assert.equal(localDate(new Date('2026-11-02T04:30:00Z')), '2026-11-01'); // 23:30 EST
      assert.equal(localDate(new Date('2026-11-02T05:00:00Z')), '2026-11-02'); // 00:00 EST
      assert.equal(localDate(new Date('2027-01-01T04:59:00Z')), '2026-12-31'); // 23:59 EST
    });

    it('atLocalTime', () => {
      const at = (d: string, h: number, m?: number) => atLocalTime(d, h, m).toISOString();
      assert.equal(at('2026-03-07', 17), '2026-03-07T22:00:00.000Z');
      assert.equal(at('2026-03-08', 0), '2026-03-08T05:00:00.000Z');
      assert.equal(at('2026-03-08', 1, 59), '2026-03-08T06:59:00.000Z');
      assert.equal(at('2026-03-08', 3), '2026-03-08T07:00:00.000Z');
      assert.equal(at('2026-03-08', 17), '2026-03-08T21:00:00.000Z');
      assert.equal(at('2026-10-31', 17), '2026-10-31T21:00:00.000Z');
      assert.equal(at('2026-11-01', 0), '2026-11-01T04:00:00.000Z');
      assert.equal(at('2026-11-01', 3), '2026-11-01T08:00:00.000Z');
      assert.equal(at('2026-11-01', 17), '2026-11-01T22:00:00.000Z');
      assert.equal(at('2026-07-01', 23, 59), '2026-07-02T03:59:00.000Z');
      assert.equal(at('2028-02-29', 9), '2028-02-29T14:00:00.000Z');
      // 02:30 on spring-forward day does not exist: moved forward by the gap, to 03:30 EDT.
      assert.equal(at('2026-03-08', 2, 30), '2026-03-08T07:30:00.000Z');
      // 01:30 on fall-back day happens twice: the first (EDT) one.
      assert.equal(at('2026-11-01', 1, 30), '2026-11-01T05:30:00.000Z');
    });

    it('round-trips every hour of both switch days', () => {
      for (const date of ['2026-03-08', '2026-11-01', '2030-03-10', '2030-11-03']) {
        for (let h = 0; h < 24; h++) {
          if (h === 2 && date.includes('-03-')) continue; // 02:xx does not exist on spring-forward day
          assert.equal(localDate(atLocalTime(date, h)), date, `${date} ${h}`);
        }
      }
    });

    it('rejects malformed dates', () => {
      assert.throws(() => atLocalTime('2026-02-30', 9), RangeError);
      assert.throws(() => isBusinessDay('2026-1-5'), RangeError);
    });
  });

  describe('isBusinessDay / addBusinessDays', () => {
    it('isBusinessDay', () => {
      assert.equal(isBusinessDay('2026-01-02'), true); // Fri
      assert.equal(isBusinessDay('2026-01-03'), false); // Sat
      assert.equal(isBusinessDay('2026-01-04'), false); // Sun
      assert.equal(isBusinessDay('2026-01-01'), false); // New Year (Thu)
      assert.equal(isBusinessDay('2025-11-28'), true); // day after Thanksgiving is not a federal holiday
      assert.equal(isBusinessDay('2026-12-24'), true); // Christmas Eve (Thu) is not one either
      assert.equal(isBusinessDay('2027-07-04'), false); // Sunday holiday itself
      assert.equal(isBusinessDay('2027-07-05'), false); // its observed Monday
      assert.equal(isBusinessDay('2027-12-31'), false); // New Year 2028 observed
      assert.equal(isBusinessDay('2028-01-03'), true); // Mon
      assert.equal(isBusinessDay('2028-11-10'), false); // Veterans Day observed
      assert.equal(isBusinessDay('2028-11-11'), false); // Sat
    });

    it('addBusinessDays / nextBusinessDay', () => {
      assert.equal(nextBusinessDay('2027-12-30'), '2028-01-03');
      assert.equal(nextBusinessDay('2026-07-02'), '2026-07-06');
      assert.equal(addBusinessDays('2027-12-23', 2), '2027-12-28');
      assert.equal(addBusinessDays('2026-01-03', 1), '2026-01-05'); // from a Saturday
    });

    it('throws RangeError for n = 0, negative or fractional n', () => {
      assert.throws(() => addBusinessDays('2026-01-05', 0), RangeError);
      assert.throws(() => addBusinessDays('2026-01-05', -1), RangeError);
      assert.throws(() => addBusinessDays('2026-01-05', 1.5), RangeError);
      assert.throws(() => businessDeadline(new Date('2026-01-05T15:00:00Z'), 0), RangeError);
      assert.throws(() => reminderDueAt(new Date('2026-01-05T15:00:00Z'), 0), RangeError);
    });
  });
});
