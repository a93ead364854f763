/**
 * The calendar table an agreement records in its history (workflows/clock.ts): its New York offset
 * changes are the real DST switches (dates from `date -d`, 02:00 local: 07:00Z in March, 06:00Z in
 * November), and the business-day rules over it answer exactly as over Intl and the holiday package.
 */
import { strict as assert } from 'node:assert';
import { BusinessCalendar, tableSource } from '../common/business-calendar';
import * as real from '../common/calendar';

const HOUR = 3600_000;

describe('calendar table (recorded in agreements’ histories)', () => {
  const table = real.calendarTable(2025, 2030);
  const fromTable = new BusinessCalendar(tableSource(table));

  it('holds the DST switches of 2025–2030, to the second', () => {
    const switches = [
      ['2025-03-09T07:00:00Z', -240],
      ['2025-11-02T06:00:00Z', -300],
      ['2026-03-08T07:00:00Z', -240],
      ['2026-11-01T06:00:00Z', -300],
      ['2027-03-14T07:00:00Z', -240],
      ['2027-11-07T06:00:00Z', -300],
      ['2028-03-12T07:00:00Z', -240],
      ['2028-11-05T06:00:00Z', -300],
      ['2029-03-11T07:00:00Z', -240],
      ['2029-11-04T06:00:00Z', -300],
      ['2030-03-10T07:00:00Z', -240],
      ['2030-11-03T06:00:00Z', -300],
    ];
    assert.equal(table.offsets[0]![1], -300, 'EST at the start of 2025');
    assert.deepEqual(
      table.offsets
        .slice(1)
        .map(([at, minutes]) => [new Date(at).toISOString().replace('.000', ''), minutes]),
      switches,
    );
  });

  it('holds the 11 observed holidays of each year, New Year 2028 observed on Dec 31, 2027', () => {
    assert.equal(table.holidays.length, 66);
    assert.ok(table.holidays.includes('2027-12-31'));
    assert.ok(!table.holidays.includes('2028-01-01'));
    assert.ok(table.holidays.includes('2026-07-03'), 'Independence Day 2026 (Sat) observed Fri Jul 3');
  });

  it('gives every deadline, reminder date and business morning the real calendar gives', () => {
    let compared = 0;
    // Every 29 hours through 2025–2030 (all hours of the day and all weekdays come round), plus every
    // hour of the DST switch days.
    const instants: number[] = [];
    for (let t = Date.UTC(2025, 0, 2); t < Date.UTC(2030, 11, 1); t += 29 * HOUR) instants.push(t);
    for (const day of ['2026-03-08', '2026-11-01', '2030-03-10', '2030-11-03'])
      for (let h = 0; h < 24; h++) instants.push(Date.parse(`${day}T00:00:00Z`) + h * HOUR + 1234);
    for (const t of instants) {
      const at = new Date(t);
      for (const n of [1, 2]) {
        assert.equal(
          fromTable.businessDeadline(at, n).toISOString(),
          real.businessDeadline(at, n).toISOString(),
        );
        compared++;
      }
      assert.equal(fromTable.reminderDueAt(at, 14).toISOString(), real.reminderDueAt(at, 14).toISOString());
      const date = real.localDate(at);
      assert.equal(fromTable.localDate(at), date);
      assert.equal(fromTable.businessMorning(date).toISOString(), real.businessMorning(date).toISOString());
      compared += 3;
    }
    assert.ok(compared > 6_000, `only ${compared} comparisons`);
  });

  it('refuses a date outside its years rather than guessing', () => {
    assert.throws(() => fromTable.businessDeadline(new Date('2031-06-01T12:00:00Z'), 2), RangeError);
    assert.throws(() => fromTable.isBusinessDay('2024-12-02'), RangeError);
  });
});
