/**
 * What the monthly registration report's templates see (issue 18, item 2): the institution, the month,
 * and one item per researcher with each registration step's date or "not yet", and where it stands.
 */
import { lastStepOn, REGISTRATION_STEPS, STEP_WORDS, stepsLeft } from '../../common/registration';
import type { RegistrationReportRequest } from '../interfaces';
import { count, formatDate, formatInstant, type View } from './view';

const MONTH = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "2 researchers, 1 fully registered". */
export function reportSummary(request: RegistrationReportRequest): string {
  const complete = request.registrations.filter((r) => r.completedAt).length;
  return `${count(request.registrations.length, 'researcher')}, ${complete} fully registered`;
}

export function buildRegistrationReportView(
  request: RegistrationReportRequest,
  ctx: { accessTeam: string },
): View {
  const researchers = request.registrations.map((r, i): View => {
    const left = stepsLeft(r.steps).length;
    const state = r.completedAt
      ? `fully registered (${formatDate(lastStepOn(r.steps))})`
      : r.escalatedAt
        ? `${count(left, 'step')} left, no progress after ${count(r.nudgesSent, 'reminder')}`
        : `${count(left, 'step')} left`;
    return {
      number: i + 1,
      name: r.requester.name.trim() || r.requester.email,
      email: r.requester.email,
      agreementId: r.agreementId,
      instructionsSentAt: formatInstant(r.instructionsSentAt),
      state,
      steps: REGISTRATION_STEPS.map((s) => ({
        words: STEP_WORDS[s],
        done: r.steps[s] ? formatDate(r.steps[s]) : 'not yet',
      })),
    };
  });
  return {
    report: {
      institution: request.institution.name,
      month: MONTH.format(new Date(`${request.month}-01T00:00:00Z`)),
      asOf: formatInstant(request.asOf),
      summary: reportSummary(request),
    },
    stepNames: REGISTRATION_STEPS.map((s) => ({ words: STEP_WORDS[s] })),
    researchers,
    accessTeam: { email: ctx.accessTeam },
  };
}
