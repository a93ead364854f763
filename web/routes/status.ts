/**
 * `GET /status/:token`: a requester's own status page, reached by the personal link in their mail.
 * In order: the token's signature and expiry (common/status-link.ts), its revocation
 * (activities/records/status-links.ts), the agreement (from the workflow by fetchStatus, else the
 * records' last snapshot when Temporal or the workers do not answer), and that the link's holder is
 * still one of its requesters. A link that fails any step gets a page that shows no data.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AgreementStatus } from '../../common/agreement';
import { sameEmail } from '../../common/agreement';
import { verifyStatusLink } from '../../common/status-link';
import { registrationsFor } from '../../activities/records/registrations';
import { statusLinkRevoked } from '../../activities/records/status-links';
import { fetchStatus } from '../../client/agreement-handle';
import { UnreachableError, UserError } from '../../client/output';
import { sendPage, type WebContext } from '../page';
import { statusView } from '../status-view';

type LinkProblem = 'invalid' | 'expired' | 'withdrawn';

const PROBLEMS: Record<LinkProblem, { status: number; title: string; why: string }> = {
  invalid: {
    status: 404,
    title: 'This link does not work',
    why: 'The link is not complete, or it was changed. Check that you copied the whole link from the e-mail.',
  },
  expired: {
    status: 410,
    title: 'This link has expired',
    why: 'Status links work for a limited time, and this one has run out.',
  },
  withdrawn: {
    status: 410,
    title: 'This link was withdrawn',
    why: 'This link no longer opens a request: it was withdrawn, or it belongs to a request you are no longer part of.',
  },
};

function sendLinkProblem(reply: FastifyReply, ctx: WebContext, problem: LinkProblem): Promise<FastifyReply> {
  const { status, title, why } = PROBLEMS[problem];
  return sendPage(reply, ctx, 'link-problem', { title, why }, status);
}

/** The agreement's status, or null when there is none; throws UnreachableError when nothing can tell. */
async function agreementStatus(ctx: WebContext, agreementId: string): Promise<AgreementStatus | null> {
  let answer;
  try {
    answer = await fetchStatus(await ctx.temporal(), ctx.config, agreementId);
  } catch (err) {
    if (err instanceof UserError) return null; // no such agreement
    if (!(err instanceof UnreachableError)) throw err;
    // Temporal down, or no worker answered: the last snapshot the workflow wrote to the records.
    const recorded = await ctx.store.agreementStatus(agreementId);
    if (!recorded) throw err;
    return recorded;
  }
  return answer.status;
}

export function registerStatusRoutes(app: FastifyInstance, ctx: WebContext): void {
  // A wildcard, not `:token`: a parameter is capped at 100 characters, and a token is ~200.
  app.get<{ Params: { '*': string } }>('/status/*', async (req, reply) => {
    // The token is the key to the page: it must not travel on in a Referer header.
    reply.header('referrer-policy', 'no-referrer');
    const now = ctx.now();
    // A link copied with the sentence's full stop or a closing bracket: a token never ends in one.
    const token = req.params['*'].replace(/[.,;:!)\]>'"]+$/, '');
    const link = await verifyStatusLink(token, ctx.linkKey, now);
    if (!link.ok) return sendLinkProblem(reply, ctx, link.problem);
    if (await statusLinkRevoked(ctx.store.db, link)) return sendLinkProblem(reply, ctx, 'withdrawn');
    let status: AgreementStatus | null;
    try {
      status = await agreementStatus(ctx, link.agreementId);
    } catch (err) {
      if (!(err instanceof UnreachableError)) throw err;
      // Not the message: an individual agreement's id holds an address.
      req.log.warn({ event: 'status-unavailable' }, 'status page: neither Temporal nor the records answered');
      return sendPage(reply, ctx, 'unavailable', { title: 'We cannot show your request just now' }, 503);
    }
    if (!status) return sendLinkProblem(reply, ctx, 'withdrawn');
    const agreementId = status.agreementId;
    // Her own registration of this agreement, if its instructions went to her (the newest first): an
    // address they were resent to (`dura registration resend --to`) holds a page as a requester does.
    const registration = (await registrationsFor(ctx.store.db, link.email)).find(
      (r) => r.agreementId === agreementId,
    );
    if (!registration && !status.requesters.some((r) => sameEmail(r.email, link.email)))
      return sendLinkProblem(reply, ctx, 'withdrawn');
    const view = statusView(status, now, ctx.links.workbench, registration);
    return sendPage(reply, ctx, 'status', { title: view.heading, ...view });
  });
}
