/**
 * What the registration messages (issue 18) see beside the agreement: the requester's steps left and
 * done, in the words of the instructions, with the links the instructions give. The registration
 * workflow passes them as the message's extra values (scalars only, EmailRequest.extra):
 * `stepsLeft` and `stepsDone` (`step` or `step=YYYY-MM-DD`, comma-separated), `requesterName`,
 * `requesterEmail`, `nudgesSent`, `instructionsSentAt` (ISO-8601). Every kind gets the group (templates
 * are strict): empty values when a message carries none.
 */
import {
  isRegistrationStep,
  lastStepOn,
  REGISTRATION_STEPS,
  STEP_WORDS,
  type RegistrationStep,
} from '../../common/registration';
import type { EmailRequest } from '../interfaces';
import type { MailLinks } from './settings';
import type { View } from './view';

const NUMBERS = ['no', 'one', 'two', 'three', 'four', 'five'];

function linkOf(step: RegistrationStep, links: MailLinks): string {
  const by: Partial<Record<RegistrationStep, string>> = {
    account: links.workbench,
    identity: links.identity,
    'rcr-training': links.rcrTraining,
    'code-of-conduct': links.codeOfConduct,
  };
  return by[step] ?? '';
}

function stepsIn(value: unknown): { step: RegistrationStep; on: string }[] {
  if (typeof value !== 'string' || value === '') return [];
  return value.split(',').flatMap((item) => {
    const [step, on = ''] = item.split('=');
    return isRegistrationStep(step) ? [{ step, on }] : [];
  });
}

/** The `registration` group of the view; `formatInstant`/`formatDate` put instants and dates in words. */
export function registrationView(
  extra: EmailRequest['extra'],
  links: MailLinks,
  words: { instant(iso: string | null): string; date(date: string | null): string },
): View {
  const left = stepsIn(extra?.stepsLeft);
  const done = stepsIn(extra?.stepsDone);
  const sentAt = typeof extra?.instructionsSentAt === 'string' ? extra.instructionsSentAt : null;
  return {
    stepsLeft: left.map(({ step }) => {
      const link = linkOf(step, links);
      return {
        words: STEP_WORDS[step],
        link,
        line: link ? `${STEP_WORDS[step]}: ${link}` : STEP_WORDS[step],
      };
    }),
    leftInWords: `${NUMBERS[left.length] ?? left.length} step${left.length === 1 ? '' : 's'}`,
    stepsDone: done.length
      ? done.map(({ step, on }) => `${STEP_WORDS[step]} (${words.date(on || null)})`).join('; ')
      : 'none',
    requesterName: String(extra?.requesterName ?? ''),
    requesterEmail: String(extra?.requesterEmail ?? ''),
    nudgesSent: Number(extra?.nudgesSent ?? 0),
    instructionsSentAt: words.instant(sentAt),
  };
}

const doneOn = (
  steps: Record<RegistrationStep, string | null> | null,
  step: RegistrationStep,
  date: (date: string | null) => string,
): string => (steps?.[step] ? ` Done ${date(steps[step])}: nothing to do.` : '');

/**
 * The `registered` group of the registration instructions (issue 18): what the recipient already did
 * for earlier agreements (a renewal's requester). `all` (every step done: nothing to do), `notAll` and
 * `some` (some done, not all) are lists of one item or none, for the templates' `{{#if}}`; `list` names
 * the steps done, each with its date in words, and `lastOn` the last of them.
 */
export function alreadyRegisteredView(
  steps: Record<RegistrationStep, string | null> | null,
  date: (date: string | null) => string,
): View {
  const done = REGISTRATION_STEPS.filter((s) => steps?.[s]);
  const all = done.length === REGISTRATION_STEPS.length;
  return {
    all: all ? [{}] : [],
    notAll: all ? [] : [{}],
    some: done.length && !all ? [{}] : [],
    lastOn: steps && done.length ? date(lastStepOn(steps)) : '',
    list: done.map((s) => `${STEP_WORDS[s]} (${date(steps![s]!)})`).join('; '),
    // Each step's note when done (` Done Monday, …: nothing to do.`, else ''), for the numbered list to
    // mark it: a trial read every step listed under "you need not do them again" as a contradiction.
    done: {
      account: doneOn(steps, 'account', date),
      twoStep: doneOn(steps, 'two-step', date),
      identity: doneOn(steps, 'identity', date),
      codeOfConduct: doneOn(steps, 'code-of-conduct', date),
      rcrTraining: doneOn(steps, 'rcr-training', date),
    },
    subject: all
      ? 'Your All of Us Researcher Workbench access: nothing more to do'
      : 'Your next steps to the All of Us Researcher Workbench',
  };
}
