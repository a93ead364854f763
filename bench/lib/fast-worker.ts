/**
 * The real dura worker (worker/main.ts) with a compressed calendar: one day lasts DURA_BENCH_DAY_SECONDS
 * seconds (default 1), so reminders every 14 "days" come every 14 s and a whole lifecycle runs in
 * seconds. The workflow code is the same: only the calendar activities' answers change (the recorded
 * calendar table says the days are compressed), and they are recorded in history like the real ones. For benchmarks and fault tests only.
 */
import type { CalendarActivities, CalendarTableActivities } from '../../activities/interfaces';
import { main } from '../../worker/main';

export function compressedCalendar(daySeconds: number): CalendarActivities & CalendarTableActivities {
  const later = (from: string, days: number) => new Date(Date.parse(from) + days * daySeconds * 1000).toISOString();
  return {
    // The table agreements record (workflows/clock.ts); the local activities below are for histories
    // from before it.
    calendarTable: async ({ fromYear, toYear }) => ({
      fromYear,
      toYear,
      holidays: [],
      offsets: [[0, 0]],
      compressedDaySeconds: daySeconds,
    }),
    businessDeadline: async ({ from, businessDays }) => later(from, businessDays),
    reminderDueAt: async ({ previous, everyDays }) => later(previous, everyDays),
    businessMorning: async ({ date }) => new Date(`${date}T14:00:00Z`).toISOString(),
  };
}

if (require.main === module) {
  const daySeconds = Number(process.env.DURA_BENCH_DAY_SECONDS ?? '1');
  if (!(daySeconds > 0)) {
    console.error('DURA_BENCH_DAY_SECONDS: expected a positive number of seconds');
    process.exit(1);
  }
  void main({ calendar: compressedCalendar(daySeconds) }).then((code) => process.exit(code));
}
