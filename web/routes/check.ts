/**
 * "Am I covered?": `GET /check` (the form) and `POST /check` (CSRF, rate-limited), answered by
 * checkCoverage (activities/records/coverage.ts, as `dura check`) in plain words, with the next step
 * and its link. It answers only about the address typed: no other listed address is ever shown.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { checkCoverage, type Coverage, type TierCoverage } from '../../activities/records/coverage';
import { isPersonalDomain, personalNextStep } from '../../client/personal-mail';
import { TIERS, type Tier } from '../../common/agreement';
import { joinableTiers, parseEmail } from '../../common/coverage';
import { fieldView, sendPage, type FormLimit, textValue, type FormError, type WebContext } from '../page';
import type { FormNotice } from '../request-form';

const EMAIL_FIELD = {
  id: 'email',
  label: 'Your e-mail address',
  type: 'email',
  autocomplete: 'email',
  hint: 'The address you would use for All of Us, at your institution.',
};

const TIER_NAMES: Record<Tier, string> = { registered: 'Registered Tier', controlled: 'Controlled Tier' };

export interface CheckValues {
  email: string;
  tier: string;
}

export function checkValues(body: unknown): CheckValues {
  const form = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return { email: textValue(form.email, 320), tier: textValue(form.tier, 20) };
}

/** The form (with its answer, its problem or a notice) and a fresh CSRF token. */
export function sendCheckForm(
  reply: FastifyReply,
  ctx: WebContext,
  values: CheckValues,
  status: number,
  view: {
    error?: string;
    tierError?: string;
    answer?: ReturnType<typeof answerView>;
    notice?: FormNotice;
  } = {},
): Promise<FastifyReply> {
  const errors: FormError[] = [
    ...(view.error ? [{ field: 'email', label: EMAIL_FIELD.label, message: view.error }] : []),
    ...(view.tierError
      ? [{ field: 'tier-registered', label: 'Data access tier', message: view.tierError }]
      : []),
  ];
  const tier = (TIERS as readonly string[]).includes(values.tier) ? values.tier : 'registered';
  return sendPage(
    reply,
    ctx,
    'check',
    {
      // The answer in the title, which a screen reader says first as the page loads (a trial found the
      // answer only by reading on past the form); a problem or a notice (429, expired) as "Error:".
      title:
        errors.length || view.notice
          ? 'Error: Am I covered?'
          : view.answer
            ? `${view.answer.title} — Am I covered?`
            : 'Am I covered?',
      section: 'check',
      csrf: reply.generateCsrf(),
      email: fieldView(EMAIL_FIELD, values.email, view.error),
      tiers: TIERS.map((t) => ({ value: t, id: `tier-${t}`, label: TIER_NAMES[t], checked: t === tier })),
      errors,
      tierError: view.tierError,
      answer: view.answer,
      notice: view.notice,
    },
    status,
  );
}

export function registerCheckRoutes(app: FastifyInstance, ctx: WebContext, formLimit: FormLimit): void {
  app.get('/check', (_req, reply) => sendCheckForm(reply, ctx, { email: '', tier: 'registered' }, 200));

  app.post(
    '/check',
    {
      // After the body is read, so that a refusal can give the form back with what was typed.
      preHandler: [formLimit, app.csrfProtection],
    },
    async (req, reply) => {
      const values = checkValues(req.body);
      // Every problem at once; no tier at all is the Registered Tier, the form's default.
      const error = !values.email.trim()
        ? 'Enter your e-mail address'
        : !parseEmail(values.email)
          ? 'Enter an e-mail address such as ada@uw.edu'
          : undefined;
      const tierError =
        values.tier && !(TIERS as readonly string[]).includes(values.tier)
          ? 'Choose the Registered Tier or the Controlled Tier'
          : undefined;
      if (error || tierError) return sendCheckForm(reply, ctx, values, 400, { error, tierError });
      if (!values.tier) values.tier = 'registered';
      const coverage = await checkCoverage(ctx.store, values.email, [values.tier as Tier]);
      const answer = answerView(coverage, ctx);
      // A personal provider's address tells nothing of an institution: no request for its domain.
      const personal =
        !coverage.tiers.some((t) => t.covered) && (await isPersonalDomain(ctx.store, coverage.domain));
      if (personal) {
        answer.nextStep = personalNextStep(coverage.domain);
        answer.next = {
          href: `/request?${new URLSearchParams({ email: coverage.email })}`,
          text: 'Submit a DURA request',
        };
      }
      return sendCheckForm(reply, ctx, values, 200, { answer });
    },
  );
}

/** Why one tier is or is not covered, in a sentence about this address only. */
function tierWords(t: TierCoverage, c: Coverage): string {
  const tier = `${TIER_NAMES[t.tier]}: `;
  const name = c.institution?.name;
  if (t.because === 'domain')
    return `${tier}covered. ${name} is listed, and any address at its domains is covered.`;
  if (t.because === 'address')
    return `${tier}covered. ${name} requires individual agreements, and ${c.email} is listed.`;
  if (t.rule === 'individual')
    return `${tier}not covered. ${name} requires individual agreements, and ${c.email} is not listed.`;
  if (name) return `${tier}not covered. ${name} is not listed for this tier.`;
  return `${tier}not covered. ${c.domain} is not on the Registered Institutions list.`;
}

/** The answer: covered or not (the heading), why for each tier, the next step and its link. */
export function answerView(c: Coverage, ctx: WebContext) {
  const covered = c.tiers.every((t) => t.covered);
  const tiers = c.tiers.map((t) => TIER_NAMES[t.tier]).join(' and the ');
  const request = (tiers: Tier[], domain: string) => {
    const query = new URLSearchParams({ email: c.email, domain });
    // The listed name (public, on /institutions) saves retyping it; the official is never put in a link.
    if (c.institution) query.set('institution', c.institution.name);
    for (const t of tiers) query.append('tier', t);
    return `/request?${query.toString()}`;
  };
  // One who already asked has nothing to submit (their messages carry their status link), nor has one
  // whose tiers all wait for the agreement in process to be signed; one with some joins for those now.
  const joinNow = c.inProcess ? joinableTiers(c, c.inProcess) : [];
  const joined = (tiers: Tier[]) =>
    `Join the DURA request in process${c.inProcess?.laterTiers.length ? ` for the ${tiers.map((t) => TIER_NAMES[t]).join(' and the ')}` : ''} (${c.inProcess?.agreementId})`;
  const next =
    c.inProcess?.requester || (c.inProcess && !joinNow.length)
      ? null
      : c.next === 'create-account'
        ? { href: ctx.links.workbench, text: 'Create an account on the Researcher Workbench' }
        : c.next === 'request-controlled'
          ? {
              href: request(['controlled'], c.institution?.id ?? c.domain),
              text: 'Request the Controlled Tier',
            }
          : c.inProcess
            ? {
                href: request(c.inProcess.laterTiers.length ? joinNow : c.tiers.map((t) => t.tier), c.domain),
                text: joined(joinNow),
              }
            : {
                href: request(
                  c.tiers.map((t) => t.tier),
                  c.domain,
                ),
                text: 'Submit a DURA request',
              };
  const some = c.tiers.filter((t) => t.covered).map((t) => TIER_NAMES[t.tier]);
  const rest = c.tiers.filter((t) => !t.covered).map((t) => TIER_NAMES[t.tier]);
  return {
    covered,
    title: covered
      ? `Yes: ${c.email} is covered for the ${tiers}`
      : some.length
        ? `Partly: ${c.email} is covered for the ${some.join(' and the ')}, not the ${rest.join(' and the ')}`
        : `No: ${c.email} is not covered for the ${tiers}`,
    reasons: c.tiers.map((t) => tierWords(t, c)),
    nextStep: c.nextStep,
    next,
  };
}
