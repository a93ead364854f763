/**
 * A registration step reported done, as it comes in from people and programs (issue 18): the CLI
 * (`dura registration record`), a CSV import (an admin export) and the Researcher Workbench's signed web
 * hook. One rule for all three: the requester's address, the step (its own name or the words an export
 * or a person would use: `2-Step Verification`, `RCR Training`, the Workbench's `twoFactorAuth`) and the
 * New York date it was completed on (common/when.ts; not after today). Every problem at once, each
 * naming its field; the caller names the field as it was typed (a flag, a column, a JSON path).
 * Client side only (zod, node:url through idn.ts): workflow code validates again (registration-messages.ts).
 */
import { z } from 'zod';
import { emailField } from './address-fields';
import { REGISTRATION_STEPS, STEP_WORDS, type RegistrationStep } from './registration';
import { newYorkDate, readWhen, type DigitsOrder } from './when';

/** How a step may be written, lower-case letters and digits only (stepKey), besides its own name. */
const STEP_ALIASES: Record<RegistrationStep, string[]> = {
  account: ['workbenchaccount', 'createaccount', 'accountcreated', 'accountcreation'],
  'two-step': [
    'twostepverification',
    '2step',
    '2stepverification',
    '2fa',
    'twofactor',
    'twofactorauth',
    'twofactorauthentication',
    'mfa',
    'multifactorauthentication',
  ],
  identity: [
    'identityverification',
    'idverification',
    'verifyidentity',
    'idme',
    'logingov',
    'raslinkidme',
    'raslinklogingov',
    'identityverified',
  ],
  'code-of-conduct': ['codeofconduct', 'ducc', 'datausecodeofconduct', 'duc'],
  'rcr-training': [
    'rcr',
    'rcrtraining',
    'responsibleconductofresearch',
    'compliancetraining',
    'rtcompliancetraining',
    'rtcompliance',
    'training',
  ],
};

/** Letters and digits only, lower-case: `2-Step Verification` → `2stepverification`. */
function stepKey(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const STEP_OF = new Map<string, RegistrationStep>(
  REGISTRATION_STEPS.flatMap((step) =>
    [step, STEP_WORDS[step], ...STEP_ALIASES[step]].map((name) => [stepKey(name), step] as const),
  ),
);

/** The step a text names (`RCR Training` → rcr-training), or undefined. */
export function stepOf(text: string): RegistrationStep | undefined {
  return STEP_OF.get(stepKey(text));
}

/** The message for a step no name matches, listing the steps' own names. */
export function unknownStep(text: string): string {
  return `unknown step "${text}": expected one of ${REGISTRATION_STEPS.join(', ')} (or their words, e.g. "2-Step Verification", "RCR Training")`;
}

/** One step done by one requester, validated: the address lower-cased (its domain in ASCII). */
export interface StepInput {
  email: string;
  step: RegistrationStep;
  /** YYYY-MM-DD, a New York date not after today. */
  completedOn: string;
}

export type StepInputField = keyof StepInput;

export interface StepInputProblem {
  field: StepInputField;
  message: string;
}

const text = (wrong: string) =>
  z.string({ error: (issue) => (issue.input == null ? 'required' : wrong) }).trim();

/**
 * Checks one report. `completedOn`: a YYYY-MM-DD New York date, or (unless `dateOnly`, as the CLI's
 * `--on` is) an ISO-8601 instant or New York time, taken as its New York date, as an export writes it,
 * or a date in digits in the order `digits` says; never after `today` (New York, default now's). Returns the input, or every problem (one per field).
 */
export function checkStepInput(
  input: { email?: unknown; step?: unknown; completedOn?: unknown },
  options: { dateOnly?: boolean; today?: string; digits?: DigitsOrder } = {},
): { input: StepInput } | { problems: StepInputProblem[] } {
  const today = options.today ?? newYorkDate();
  const schema = z.object({
    email: emailField(),
    step: text('expected a step name')
      .min(1, 'required')
      .transform((v, ctx) => {
        const step = stepOf(v);
        if (step) return step;
        ctx.addIssue({ code: 'custom', message: unknownStep(v) });
        return z.NEVER;
      }),
    completedOn: text('expected a date such as 2026-11-30').transform((v, ctx) => {
      const read = readWhen(v, { dateOnly: options.dateOnly, expect: 'past', digits: options.digits });
      if ('problem' in read) {
        ctx.addIssue({ code: 'custom', message: read.problem });
        return z.NEVER;
      }
      if (read.date > today) {
        ctx.addIssue({
          code: 'custom',
          message: `${read.text} is in the future (today is ${today} in New York)`,
        });
        return z.NEVER;
      }
      return read.date;
    }),
  });
  const result = schema.safeParse(input);
  if (result.success) return { input: result.data };
  const problems: StepInputProblem[] = [];
  for (const issue of result.error.issues) {
    const field = issue.path[0] as StepInputField;
    if (!problems.some((p) => p.field === field)) problems.push({ field, message: issue.message });
  }
  const order: StepInputField[] = ['email', 'step', 'completedOn'];
  return { problems: problems.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field)) };
}
