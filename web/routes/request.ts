/**
 * `GET /request` (the form, prefilled from a link) and `POST /request`: the request is checked by
 * checkRequest (common/request.ts), an address the list already covers is told so and starts nothing,
 * and anything else goes in as `dura request` sends it (triageRequest + requestPatiently of
 * client/agreements.ts). A filled honeypot gets the same-looking answer and starts nothing.
 * A request taken is answered post/redirect/get: 303 to `GET /request/received`, which shows the answer
 * that a signed cookie carries, so reloading the page or going back sends nothing again. The cookie,
 * not the URL, carries it: an individual agreement's id holds an address, and URLs end up in logs.
 */
import { isGrpcServiceError } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkCoverage } from '../../activities/records/coverage';
import { parseEmail } from '../../common/coverage';
import { asciiDomain } from '../../common/idn';
import { checkRequest } from '../../common/request';
import { requestPatiently, startingPolicy, triageRequest } from '../../client/agreements';
import { withJoinedOfficial } from '../join-official';
import { requestCoverage } from '../../client/request-coverage';
import { addressIssues } from '../request-addresses';
import { engineEncryptionProblem } from '../../client/engine-encryption';
import { UnreachableError } from '../../client/output';
import { unconfirmed } from '../../client/update-retry';
import { tiersInWords } from '../../activities/mail/view';
import { TIERS, tiersAsked, type JoinResult, type Tier } from '../../common/agreement';
import { keptByAgreement } from '../request-kept';
import { sendPage, type FormLimit, type WebContext } from '../page';
import {
  readReceived,
  RECEIVED_PATH,
  redirectToReceived,
  sendReceived,
  type Received,
} from '../received-page';
import {
  joinRefusalIssue,
  prefilledValues,
  requestFormValues,
  requestFormView,
  requestInput,
  type FormNotice,
  type RequestFormValues,
} from '../request-form';

/** The largest request form taken (a full form is under 3 KiB). */
export const REQUEST_BODY_LIMIT = 16 * 1024;

export const NOT_SENT: FormNotice = {
  title: 'Nothing was sent',
  text: 'We cannot reach the service that takes requests just now. Your answers are below: please send the form again in a few minutes.',
};

export const EXPIRED_FORM: FormNotice = {
  title: 'Please send the form again',
  text: 'The form was open too long, or your browser does not keep cookies for this site (the form needs one). Your answers are below: check them and send the form again.',
};

/** The form again (with `status`): its values, its problems or a notice, a fresh CSRF token. */
export function sendRequestForm(
  reply: FastifyReply,
  ctx: WebContext,
  values: RequestFormValues,
  status: number,
  view: { issues?: Parameters<typeof requestFormView>[2]; notice?: FormNotice } = {},
): Promise<FastifyReply> {
  const form = requestFormView(values, reply.generateCsrf(), view.issues, view.notice);
  // A notice (nothing was sent, the form expired, too many requests) is an error too, as the title says.
  const title = form.errors.length || view.notice ? 'Error: Request a DURA' : 'Request a DURA';
  return sendPage(reply, ctx, 'request', { title, section: 'request', ...form }, status);
}

/** Temporal or the connection to it is not there: nothing could have been sent. */
function unreachable(err: unknown): boolean {
  if (err instanceof UnreachableError) return true;
  const e = err as Error & { cause?: unknown };
  const grpc = isGrpcServiceError(e) ? e : isGrpcServiceError(e?.cause) ? e.cause : undefined;
  // 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED (@grpc/grpc-js status codes).
  return grpc !== undefined && (grpc.code === 14 || grpc.code === 4);
}

export function registerRequestRoutes(app: FastifyInstance, ctx: WebContext, formLimit: FormLimit): void {
  app.get('/request', (req, reply) => sendRequestForm(reply, ctx, prefilledValues(req.query), 200));
  app.get(RECEIVED_PATH, (req, reply) => {
    const answer = readReceived(req);
    if (answer) return sendReceived(reply, ctx, answer);
    return sendPage(
      reply,
      ctx,
      'error',
      {
        title: 'No request to show',
        text: 'This page shows the answer to a request sent from this browser, and there is none at hand. Every requester gets an e-mail with a personal link to their request; or send the form again: a request we already have is not counted twice.',
      },
      404,
    );
  });

  app.post(
    '/request',
    {
      bodyLimit: REQUEST_BODY_LIMIT,
      // After the body is read, so that a refusal can give the form back with what was typed.
      preHandler: [formLimit, app.csrfProtection],
    },
    (req, reply) => postRequest(req, reply, ctx),
  );
}

async function postRequest(req: FastifyRequest, reply: FastifyReply, ctx: WebContext): Promise<FastifyReply> {
  const values = requestFormValues(req.body);
  if (values.website.trim() !== '') {
    // A form a person cannot see was filled in: a robot. It is answered as if it had worked.
    req.log.warn({ event: 'honeypot' }, 'request form honeypot filled: nothing started');
    const domain = asciiDomain(values.fields.domain ?? '') || 'request';
    return redirectToReceived(reply, ctx, {
      agreementId: `${domain}-1`,
      outcome: 'started',
      tiers: values.tiers as Tier[],
      stage: 'awaiting-initiation',
    });
  }
  const now = ctx.now();
  // A join with the official left blank takes the agreement's own (web/join-official.ts).
  const joining = (await withJoinedOfficial(ctx.store, values)) ?? values;
  const checked = checkRequest(requestInput(joining, now.toISOString()), now);
  if ('issues' in checked) {
    // Every problem at once: a tier the agreement in process cannot take too, when the address and the
    // tiers are good enough to tell (a trial met it only after fixing the address).
    const tiersGood = !checked.issues.some((i) => i.path.startsWith('tiers'));
    const email = tiersGood ? parseEmail(values.fields.requester_email ?? '')?.email : undefined;
    const tiers = tiersAsked(values.tiers.filter((t): t is Tier => (TIERS as readonly string[]).includes(t)));
    const domain = values.fields.domain?.trim() || (email ? email.split('@')[1]! : '');
    const refusal =
      email && tiers.length
        ? joinRefusalIssue(
            await requestCoverage(ctx.store, { requester: { email }, institution: { domain }, tiers }),
            values,
          )
        : [];
    const f = values.fields;
    const nowhere = await addressIssues(
      ctx.store,
      { domain: f.domain, requesterEmail: f.requester_email, officialEmail: f.official_email },
      new Set(checked.issues.map((i) => i.path)),
    );
    const issues = [...checked.issues, ...nowhere, ...refusal];
    return sendRequestForm(reply, ctx, values, 400, { issues });
  }
  const request = checked.request;
  const unsendable = await addressIssues(ctx.store, {
    domain: request.institution.domain,
    requesterEmail: request.requester.email,
    officialEmail: request.signingOfficial.email,
  });
  if (unsendable.length) return sendRequestForm(reply, ctx, values, 400, { issues: unsendable });

  const coverage = await checkCoverage(ctx.store, request.requester.email, request.tiers);
  if (coverage.next === 'create-account')
    return sendPage(reply, ctx, 'covered', {
      title: 'You are already covered',
      section: 'request',
      email: coverage.email,
      institution: coverage.institution?.name ?? coverage.domain,
      tiers: tiersInWords(coverage.tiers.map((t) => t.tier)),
      workbench: ctx.links.workbench,
    });

  // Where it would join, asked as triage asks (a requester outside the institution's domains as the
  // same name at it): the coverage above is her own address's, which is no institution's.
  const refusal = joinRefusalIssue(await requestCoverage(ctx.store, request), values);
  if (refusal.length) return sendRequestForm(reply, ctx, values, 400, { issues: refusal });

  // Names and addresses in the clear where the engine encrypts, or what its workers cannot read: never.
  const mismatch = await engineEncryptionProblem(ctx.store.db, ctx.config);
  if (mismatch) {
    req.log.error({ event: 'encryption-mismatch' }, `request not sent: ${mismatch}`);
    return sendRequestForm(reply, ctx, values, 503, { notice: NOT_SENT });
  }
  let result: JoinResult;
  let outside: Received['outside'];
  let triaged: Awaited<ReturnType<typeof triageRequest>> | undefined;
  try {
    const client = await ctx.temporal();
    const triage = await triageRequest(request, ctx.store);
    // A likely twin of an agreement in process (a mistyped domain, the same official): the access team
    // looks before the package goes, where `dura request` only warns the person who typed it.
    if (triage.twin) triage.review = `the request form: ${triage.twin.replace(/^institution\.domain: /, '')}`;
    triaged = triage;
    // Accepted, as `dura request` accepts it; the researcher can still see and correct it.
    if (triage.outsideDomains) outside = { email: request.requester.email, domains: triage.outsideDomains };
    const patienceMs = ctx.patienceMs ?? 30_000;
    result = await requestPatiently(
      client,
      request,
      { taskQueue: ctx.config.DURA_TASK_QUEUE, policy: startingPolicy(ctx.config), triage },
      { patienceMs },
    );
  } catch (err) {
    const e = err as Error & { cause?: Error };
    // The agreement's own validator refused it (e.g. a tier asked after initiation): say why.
    if (e.name === 'WorkflowUpdateFailedError')
      return sendRequestForm(reply, ctx, values, 400, {
        notice: { title: 'The request was not accepted', text: e.cause?.message ?? e.message },
      });
    // Temporal went away after the request was sent: it may be taken, so not "not sent" either.
    if (unconfirmed(err))
      return sendPage(
        reply,
        ctx,
        'not-confirmed',
        { title: 'Your request is not confirmed yet', section: 'request' },
        503,
      );
    if (unreachable(err)) {
      req.log.warn({ event: 'temporal-unreachable', err: e.message.split('\n')[0] }, 'request not sent');
      return sendRequestForm(reply, ctx, values, 503, { notice: NOT_SENT });
    }
    throw err;
  }
  const { agreementId, outcome, stage } = result;
  const held = result.held ? { held: true as const } : {};
  const kept: Pick<
    Received,
    'officialNotUsed' | 'institutionKept' | 'officialOutside' | 'initiationLate' | 'initiating' | 'initiated'
  > = await keptByAgreement(ctx, request, result);
  // Only a new agreement goes to the official typed (a join keeps its own: officialNotUsed says so).
  if (triaged?.officialOutside && outcome === 'started')
    kept.officialOutside = {
      email: request.signingOfficial.email.trim(),
      domain: request.institution.domain,
    };
  const listedFor = coverage.tiers.filter((t) => t.covered).map((t) => t.tier);
  return redirectToReceived(reply, ctx, {
    ...{ agreementId, outcome, tiers: request.tiers, stage, outside, ...kept, ...held },
    email: request.requester.email.trim(),
    ...(listedFor.length ? { listedFor } : {}),
  });
}
