/**
 * The error pages of `dura web`, in the layout like every page, never with a stack or an internal
 * message: 404 (no such page), 403 (a form without a valid CSRF token: the form again, values kept),
 * 413 (a body over the limit), 429 (too many posts from one address: the form again, values kept), 400/415 (a request that cannot be
 * read) and 500 (anything else, logged without form values).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendPage, type WebContext } from './page';
import { checkValues, sendCheckForm } from './routes/check';
import { EXPIRED_FORM, sendRequestForm } from './routes/request';
import { requestFormValues } from './request-form';

interface ErrorPage {
  title: string;
  text: string;
}

const PAGES: Record<number, ErrorPage> = {
  400: { title: 'The page could not read what was sent', text: 'Go back to the form and send it again.' },
  403: {
    title: 'Please send the form again',
    text: 'Go back to the form, reload it and send it again (the form needs a cookie for this site).',
  },
  404: {
    title: 'Page not found',
    text: 'There is no page at this address. Check the address, or start from one of the pages below.',
  },
  413: {
    title: 'The form was too large',
    text: 'What was sent is larger than any DURA request. Go back to the form, shorten what you typed and send it again.',
  },
  415: { title: 'The page could not read what was sent', text: 'Go back to the form and send it again.' },
  429: {
    title: 'Too many requests',
    text: 'Too many forms came from your network in the last minute; try again in a minute.',
  },
  500: {
    title: 'Something went wrong',
    text: 'Something went wrong on our side, and what you sent may not have been saved. Please try again in a few minutes.',
  },
};

function sendErrorPage(reply: FastifyReply, ctx: WebContext, status: number): Promise<FastifyReply> {
  const page = PAGES[status] ?? PAGES[status >= 500 ? 500 : 400]!;
  return sendPage(reply, ctx, 'error', { title: page.title, text: page.text, status }, status);
}

/** A refused form post (CSRF, too many): the form it came from again, with what was typed and a fresh token. */
function sendFormAgain(
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: WebContext,
  status: 403 | 429,
): Promise<FastifyReply> {
  if (req.routeOptions.url === '/request' && req.body)
    return sendRequestForm(reply, ctx, requestFormValues(req.body), status, {
      notice: status === 403 ? EXPIRED_FORM : TOO_MANY_REQUESTS,
    });
  if (req.routeOptions.url === '/check' && req.body)
    return sendCheckForm(reply, ctx, checkValues(req.body), status, {
      notice: status === 403 ? EXPIRED_FORM : TOO_MANY_CHECKS,
    });
  return sendErrorPage(reply, ctx, status);
}

/**
 * The 429 notice above a form given back, with what was typed kept. "Your network", not "your address":
 * on these pages an address is an e-mail address (a trial read it so), and the limit counts the
 * internet address a whole institution may share.
 */
const TOO_MANY_REQUESTS = {
  title: 'Too many requests',
  text: 'Too many forms came from your network in the last minute, so this request was not sent. What you typed is below: send it again in a minute.',
};
const TOO_MANY_CHECKS = {
  title: 'Too many checks',
  text: 'Too many forms came from your network in the last minute, so this address was not checked. What you typed is below: check it again in a minute.',
};

export function registerErrorPages(app: FastifyInstance, ctx: WebContext): void {
  app.setNotFoundHandler((_req, reply) => sendErrorPage(reply, ctx, 404));

  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET')
      return sendFormAgain(req, reply, ctx, 403);
    const status = error.statusCode ?? 500;
    if (status === 429) return sendFormAgain(req, reply, ctx, 429);
    if (status >= 500)
      // The route's pattern, not its URL: a status link's token or a prefilled address stays out of logs.
      req.log.error(
        { route: req.routeOptions.url, err: { type: error.name, code: error.code, stack: error.stack } },
        'web page failed',
      );
    return sendErrorPage(reply, ctx, status >= 400 && status < 600 ? status : 500);
  });
}
