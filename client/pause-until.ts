// `dura pause-reminders --until`: the value read, checked and echoed (a CLI path of its own, loaded on use).
import { businessMorning } from '../common/calendar';
import { dateInWords, inWords, newYorkDate, readAs } from '../common/when';
import { UserError } from './output';
import { whenFlag } from './when-flag';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Longer than a quarter: more than an institution's review or holiday closure usually takes. */
const LONG_PAUSE_DAYS = 92;
/** A year and a day: a longer pause is a typo, or an agreement to cancel. */
const LONGEST_PAUSE_DAYS = 366;

/**
 * `pause-reminders --until`: a date is sent as it is (the workflow resumes at 09:00 New York that day,
 * or on the next business day); a time is sent as the instant, ISO UTC. How a date or a time without a
 * zone was read is echoed on stderr, and a long pause warned of, by `say` (the CLI says them once the
 * agreement took the pause: a trial's refused pause was echoed first, as if taken).
 */
export async function pauseUntil(
  value: string,
  say: (line: string) => void = (line) => process.stderr.write(line),
): Promise<string> {
  const when = whenFlag(value, '--until', { expect: 'future' });
  const past = when.form === 'date' ? when.date < newYorkDate() : when.at.getTime() <= Date.now();
  if (past) throw new UserError(`--until: ${when.text} is not in the future`);
  // A date: 09:00 New York that day, or on the next business day (the workflow's rule, common/calendar).
  const resumes = when.form === 'date' ? businessMorning(when.date) : when.at;
  // Today, once its business morning has passed, would pause nothing: the pause would end at once.
  if (resumes.getTime() <= Date.now())
    throw new UserError(
      `--until: ${when.text}: reminders would resume at ${inWords(resumes)}, already past; give a later date`,
    );
  // A year typed wrong (2062 for 2026) would silence the follow-up for decades: past a year, refused; past
  // a quarter (2028 for 2027), said.
  const days = Math.round((resumes.getTime() - Date.now()) / DAY_MS);
  if (days > LONGEST_PAUSE_DAYS)
    throw new UserError(
      `--until: ${when.text} is ${days} days away: a pause is at most a year (${LONGEST_PAUSE_DAYS} days); ` +
        'if the year is mistyped, type it again; an institution that will not sign for longer: `dura cancel`',
    );
  const echo = readAs('--until', when, `${dateInWords(when.date)}: the pause ends ${inWords(resumes)}`);
  if (echo) say(`dura: ${echo}\n`);
  if (days > LONG_PAUSE_DAYS)
    say(
      `dura: warning: --until: ${when.text} is ${days} days away: no reminders to the signing official ` +
        `until ${inWords(resumes)} (\`dura resume-reminders\` ends the pause sooner)\n`,
    );
  return when.form === 'date' ? when.date : when.at.toISOString();
}
