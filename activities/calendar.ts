/** The calendar activities: thin wrappers over common/calendar whose results land in history. */
import { ApplicationFailure } from '@temporalio/common';
import * as calendar from '../common/calendar';
import { BAD_DATA, type CalendarActivities, type CalendarTableActivities } from './interfaces';

function instant(value: string, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw ApplicationFailure.nonRetryable(`${field}: not an instant: ${value}`, BAD_DATA);
  return date;
}

function wholeDays(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 3650)
    throw ApplicationFailure.nonRetryable(
      `${field}: expected a whole number of days >= 1, got ${value}`,
      BAD_DATA,
    );
  return value;
}

export const calendarActivities: CalendarActivities & CalendarTableActivities = {
  async calendarTable({ fromYear, toYear }) {
    const year = (value: number, field: string) => {
      if (!Number.isInteger(value) || value < 1970 || value > 2200)
        throw ApplicationFailure.nonRetryable(`${field}: expected a year 1970-2200, got ${value}`, BAD_DATA);
      return value;
    };
    if (year(fromYear, 'fromYear') > year(toYear, 'toYear'))
      throw ApplicationFailure.nonRetryable(`fromYear: ${fromYear} is after toYear ${toYear}`, BAD_DATA);
    return calendar.calendarTable(fromYear, toYear);
  },
  async businessDeadline({ from, businessDays }) {
    return calendar
      .businessDeadline(instant(from, 'from'), wholeDays(businessDays, 'businessDays'))
      .toISOString();
  },
  async reminderDueAt({ previous, everyDays }) {
    return calendar
      .reminderDueAt(instant(previous, 'previous'), wholeDays(everyDays, 'everyDays'))
      .toISOString();
  },
  async businessMorning({ date }) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
      throw ApplicationFailure.nonRetryable(`date: expected YYYY-MM-DD, got ${date}`, BAD_DATA);
    return calendar.businessMorning(date).toISOString();
  },
};
