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

import { deadlineRows, reminderRows } from './fixtures/calendar-rows';

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
