/**
 * The DURA request form: its fields (named as the inputs are, e.g. `requester_email`), the request
 * they make for `checkRequest` (common/request.ts, the parser `dura request` uses) and the form's view
 * with each problem beside its field and in the summary at the top, every value kept.
 */
import { TIERS, type Tier } from '../common/agreement';
import { joinRefusal, type Coverage } from '../common/coverage';
import { tiersInWords } from '../activities/mail/view';
import { NOT_A_DOMAIN, NOT_A_WEB_SITE, NOT_AN_ADDRESS, withoutValue } from '../common/address-fields';
import type { RequestIssue } from '../common/request';
import { fieldView, textValue, textValues, type FieldView, type FormError } from './page';

interface FieldDef {
  id: string;
  label: string;
  /** Its path in the request, as checkRequest names it. */
  path: string;
  type?: string;
  hint?: string;
  autocomplete?: string;
  /** What the form says when it is left empty, as an instruction ("Enter your name"). */
  missing: string;
  /** What the form says when an e-mail field holds no address. */
  invalid?: string;
}

export const REQUEST_FIELDS: readonly FieldDef[] = [
  {
    id: 'institution_name',
    label: 'Institution name',
    path: 'institution.name',
    autocomplete: 'organization',
    missing: "Enter your institution's name",
  },
  {
    id: 'domain',
    label: "Institution's e-mail domain",
    path: 'institution.domain',
    hint: "The part after the @ in your institution's e-mail addresses, for example uw.edu.",
    missing: "Enter your institution's e-mail domain, the part after the @ (for example uw.edu)",
  },
  {
    id: 'requester_name',
    label: 'Your name',
    path: 'requester.name',
    autocomplete: 'name',
    missing: 'Enter your name',
  },
  {
    id: 'requester_email',
    label: 'Your e-mail address',
    path: 'requester.email',
    type: 'email',
    autocomplete: 'email',
    hint: 'Use your address at your institution: updates about your request go there.',
    missing: 'Enter your e-mail address',
    invalid: 'Enter your e-mail address in full, such as ada@uw.edu',
  },
  {
    id: 'official_name',
    label: "Signing official's name",
    path: 'signingOfficial.name',
    hint:
      'The person at your institution who signs agreements for it, often in its research or sponsored programs office. ' +
      "To join your institution's request in process, leave this and the address blank: it has its official.",
    missing: "Enter the signing official's name",
  },
  {
    id: 'official_email',
    label: "Signing official's e-mail address",
    path: 'signingOfficial.email',
    type: 'email',
    missing: "Enter the signing official's e-mail address",
    invalid: "Enter the signing official's e-mail address in full, such as osp@uw.edu",
  },
  {
    id: 'official_title',
    label: "Signing official's title (optional)",
    path: 'signingOfficial.title',
    missing: '',
  },
];

const TIER_LABELS: Record<Tier, string> = {
  registered: 'Registered Tier',
  controlled: 'Controlled Tier (includes the Registered Tier)',
};

/** The form as typed: each field's text, the tiers ticked and the honeypot `website`. */
export interface RequestFormValues {
  fields: Record<string, string>;
  tiers: string[];
  website: string;
}

/** The values of a posted form (anything missing is ''; a body that is no form is an empty form). */
export function requestFormValues(body: unknown): RequestFormValues {
  const form = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const fields = Object.fromEntries(REQUEST_FIELDS.map((f) => [f.id, textValue(form[f.id])]));
  return { fields, tiers: textValues(form.tiers), website: textValue(form.website) };
}

/** The form prefilled from a link (`/request?email=…&domain=…&tier=…`, as /check's answer makes them). */
export function prefilledValues(query: unknown): RequestFormValues {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const tiers = textValues(q.tier).filter((t) => (TIERS as readonly string[]).includes(t));
  const fields = Object.fromEntries(REQUEST_FIELDS.map((f) => [f.id, '']));
  fields.requester_email = textValue(q.email, 320);
  fields.domain = textValue(q.domain, 253);
  fields.institution_name = textValue(q.institution, 200);
  return { fields, tiers: tiers.length ? tiers : ['registered'], website: '' };
}

/** The request checkRequest reads, received `receivedAt` (ISO-8601); an empty title is left out. */
export function requestInput(values: RequestFormValues, receivedAt: string): unknown {
  const f = values.fields;
  return {
    institution: { name: f.institution_name, domain: f.domain },
    requester: { name: f.requester_name, email: f.requester_email },
    signingOfficial: {
      name: f.official_name,
      email: f.official_email,
      ...(f.official_title?.trim() ? { title: f.official_title } : {}),
    },
    tiers: values.tiers,
    receivedAt,
  };
}

/** A notice above the form: why it is shown again (an expired form, a service that did not answer). */
export interface FormNotice {
  title: string;
  text: string;
}

/**
 * checkRequest's words for a field, as the form says them to a researcher: an instruction that reads on
 * its own in the summary at the top and beside the field (/check words its own so). The field shows the
 * value typed: its words need not quote it.
 */
function formWords(message: string | undefined, field?: FieldDef): string | undefined {
  if (message === undefined) return undefined;
  const plain = withoutValue(message);
  const what = field?.label.replace(/ \(optional\)$/, '').toLowerCase() ?? 'it';
  const longer = /^longer than (\d+) characters$/.exec(plain);
  if (plain === NOT_AN_ADDRESS)
    return field?.invalid ?? 'Enter an e-mail address in full, such as ada@uw.edu';
  if (plain === NOT_A_DOMAIN) return "Enter your institution's e-mail domain, such as uw.edu";
  // A tier no box posts (a hand-made or stale form): the same instruction as none ticked.
  if (
    plain === 'at least one of registered and controlled' ||
    plain.startsWith('expected registered or controlled')
  )
    return 'Choose the Registered Tier, the Controlled Tier or both';
  // "your name", not "the your name" (a trial's 500-character name).
  const the = /^(your|the) /.test(what) ? what : `the ${what}`;
  if (longer) return `Shorten ${the} to ${longer[1]} characters or fewer`;
  if (plain === 'must be one line') return `Write ${the} on one line`;
  return message;
}

/**
 * An instruction for what was typed when it shows the slip: two addresses in one address field, or a
 * web address in the domain field (`https://www.uw.edu/` for uw.edu). Undefined: formWords says it.
 */
function typedAmiss(message: string | undefined, value: string, field: FieldDef): string | undefined {
  if (message === undefined) return undefined;
  const plain = withoutValue(message);
  const addresses = value.split('@').length - 1;
  const named = /^[^<>@]*<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$/.exec(value);
  if (plain === NOT_AN_ADDRESS && named) return `Enter the address alone, without the name: ${named[1]}`;
  if (plain === NOT_AN_ADDRESS && addresses > 1)
    return field.id === 'official_email'
      ? `Enter one signing official's address here, not ${addresses}: the access team can add the others`
      : `Enter one e-mail address here, not ${addresses}`;
  // Letters beyond ASCII before the @ (a trial's jörg@uni-köln.de was told to type it "in full"): mail
  // systems take such an address only by an extension (SMTPUTF8) dura does not use.
  const local = value.trim().slice(0, Math.max(0, value.trim().lastIndexOf('@')));
  const beyond = [...new Set(local.match(/[^\p{ASCII}]/gu) ?? [])].join(' ');
  if (plain === NOT_AN_ADDRESS && addresses === 1 && beyond)
    return `Enter an address with plain letters (a–z) before the @: ${beyond} cannot be used there`;
  const domain = value.trim().toLowerCase();
  const web = /^(?:https?:\/\/)?(?:www\.)?([a-z0-9.-]+\.[a-z]{2,})(?:[/:?#].*)?$/.exec(domain);
  const atDomain = /^[^@\s]*@([a-z0-9.-]+\.[a-z]{2,})$/.exec(domain);
  if (plain.startsWith(NOT_A_DOMAIN) && atDomain)
    return `Enter the domain alone, the part after the @: ${atDomain[1]}`;
  if ((plain === NOT_A_DOMAIN || plain.startsWith(NOT_A_WEB_SITE)) && web && web[1] !== domain)
    return `Enter the e-mail domain alone, without https://, www. or a path: ${web[1]}`;
  return undefined;
}

/** The form's view: its fields and tiers with their values and problems, the summary, a notice. */
export function requestFormView(
  values: RequestFormValues,
  csrf: string,
  issues: readonly RequestIssue[] = [],
  notice?: FormNotice,
) {
  const problem = new Map(issues.map((i) => [i.path, i.message]));
  const errors: FormError[] = [];
  const fields: FieldView[] = REQUEST_FIELDS.map((f) => {
    const value = values.fields[f.id] ?? '';
    // checkRequest calls an empty address "not an e-mail address"; on a form, a blank field is missing.
    const error =
      problem.has(f.path) && value.trim() === ''
        ? f.missing
        : (typedAmiss(problem.get(f.path), value, f) ?? formWords(problem.get(f.path), f));
    if (error) errors.push({ field: f.id, label: f.label, message: error });
    return fieldView(f, value, error);
  });
  const tiersError = formWords(
    [...problem].find(([path]) => path === 'tiers' || path.startsWith('tiers.'))?.[1],
  );
  if (tiersError) errors.push({ field: 'tiers-registered', label: 'Data access tiers', message: tiersError });
  // Anything else (not expected from this form) still reaches the summary, linked to the first field.
  for (const [path, message] of problem)
    if (!REQUEST_FIELDS.some((f) => f.path === path) && !path.startsWith('tiers'))
      errors.push({ field: 'institution_name', label: path, message: `${path}: ${message}` });
  return {
    csrf,
    fields,
    tiers: TIERS.map((tier) => ({
      value: tier,
      id: `tiers-${tier}`,
      label: TIER_LABELS[tier],
      checked: values.tiers.includes(tier),
    })),
    tiersError,
    errors,
    notice,
  };
}

/**
 * The same refusal as `dura request`'s (common/coverage.ts joinRefusal), in a researcher's words, as the
 * tiers field's problem: what to untick and when to ask; or, when that would leave no tier ticked, which
 * tier joins the agreement in process now. None when the request may join.
 */
export function joinRefusalIssue(
  coverage: Coverage,
  values: { tiers: string[] },
): { path: string; message: string }[] {
  if (!joinRefusal(coverage)) return [];
  const inProcess = coverage.inProcess!;
  const later = `the ${tiersInWords(inProcess.laterTiers)}`;
  // One of its requesters has nothing to join (a second trial was told "to join" their own agreement).
  if (inProcess.requester)
    return [
      {
        path: 'tiers',
        message:
          `You asked already for your institution's agreement in process (${inProcess.agreementId}), which is ` +
          `for the ${tiersInWords(inProcess.tiers)} only: ${later} can be requested once it is signed`,
      },
    ];
  const join = `to join your institution's agreement in process (${inProcess.agreementId}) now`;
  const message = values.tiers.some((t) => !(inProcess.laterTiers as string[]).includes(t))
    ? `Untick ${later} ${join}; ${later} can be requested once it is signed`
    : `Tick the ${tiersInWords(inProcess.tiers)} instead of ${later} ${join} (it is for the ` +
      `${tiersInWords(inProcess.tiers)} only); ${later} can be requested once it is signed`;
  return [{ path: 'tiers', message }];
}
