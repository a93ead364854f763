/**
 * `dura web`: the researcher's pages (issue 16), server-rendered HTML that needs no JavaScript, on
 * Fastify 5 and its official plugins: helmet (CSP, no-referrer), cookie + csrf-protection (every form
 * post), formbody, rate-limit (form posts per client address) and view (Handlebars, escaped by default).
 *
 * Routes: `/` (home), `/institutions?q=`, `/api/institutions?q=` (JSON, any origin), `/check` (GET, POST),
 * `/request` (GET, POST), `/status/:token`, `POST /api/registration` (the Workbench's signed steps:
 * routes/registration-hook.ts), `/assets/dura.css`, `/healthz`; anything else is a 404 page.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyView from '@fastify/view';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import Handlebars from 'handlebars';
import { projectRoot } from '../common/project-root';
import { registerErrorPages } from './errors';
import { webLoggerOptions } from './logging';
import { servedOverHttps, type WebContext, type WebDeps } from './page';
import { registerCheckRoutes } from './routes/check';
import { registerInstitutionRoutes } from './routes/institutions';
import { REQUEST_BODY_LIMIT, registerRequestRoutes } from './routes/request';
import { receivedCookieSecret } from './received-page';
import { registerRegistrationHook } from './routes/registration-hook';
import { registerStatusRoutes } from './routes/status';

export type { WebDeps } from './page';

/** web/ beside the sources, from tsx and from lib/ alike. */
export const WEB_DIR = path.join(projectRoot(), 'web');

const PARTIALS = ['field', 'error-summary', 'notice'];

/**
 * The server, its routes registered, not yet listening: `inject` it in tests, or `listen` it
 * (`{ host: deps.web.host, port: deps.web.port }`). The caller closes it, then the records and the
 * Temporal connection it handed in (WebDeps, web/page.ts: config, web, store, temporal, linkKey,
 * links, now?, logLevel?, patienceMs?).
 */
export async function buildWebServer(deps: WebDeps): Promise<FastifyInstance> {
  const ctx: WebContext = { ...deps, now: deps.now ?? (() => new Date()) };
  const https = servedOverHttps(ctx);
  const app = Fastify({
    logger: webLoggerOptions(deps.logLevel ?? 'warn', deps.logStream),
    // Request lines carry URLs, and a URL may carry an address or a status link's token.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: REQUEST_BODY_LIMIT,
    return503OnClosing: true,
    // The rate limit keys on request.ip: behind a proxy, the client named by the proxies trusted.
    // (Fastify's types omit its hop count, so hops are given as the function it would make of them.)
    trustProxy: typeof ctx.web.trustProxy === 'number' ? trustHops(ctx.web.trustProxy) : ctx.web.trustProxy,
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'none'"],
        'style-src': ["'self'"],
        'img-src': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        // Over plain http (a local or compose install) there is no https to upgrade to.
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    strictTransportSecurity: https,
    referrerPolicy: { policy: 'no-referrer' },
  });
  // Signs the cookie that carries a request's answer from its POST to the page it redirects to (routes/request.ts).
  await app.register(fastifyCookie, { secret: receivedCookieSecret(ctx.linkKey) });
  await app.register(fastifyCsrf, {
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: https },
  });
  await app.register(fastifyFormbody);
  // Only the routes that ask for it (the form posts) are limited.
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyView, {
    // An engine of its own: partials registered here touch no other Handlebars user (the mailer).
    engine: { handlebars: Handlebars.create() },
    root: path.join(WEB_DIR, 'views'),
    layout: 'layout.hbs',
    production: true,
    options: { partials: Object.fromEntries(PARTIALS.map((p) => [p, `partials/${p}.hbs`])) },
  });

  const css = readFileSync(path.join(WEB_DIR, 'assets', 'dura.css'));
  app.get('/assets/dura.css', (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );
  // Browsers ask for it on every site; no icon is better than a 404 in every console.
  app.get('/favicon.ico', (_req, reply) => reply.code(204).send());
  app.get('/healthz', (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok\n'));

  registerErrorPages(app, ctx);
  registerInstitutionRoutes(app, ctx);
  // One limit for both forms: a flood of checks and requests from one address is one flood.
  const formLimit = app.rateLimit({ max: ctx.web.rateLimit, timeWindow: 60_000 });
  registerCheckRoutes(app, ctx, formLimit);
  registerRequestRoutes(app, ctx, formLimit);
  registerStatusRoutes(app, ctx);
  // The Researcher Workbench's signed JSON posts (DURA_WORKBENCH_SECRET): no CSRF, the same rate limit.
  await registerRegistrationHook(app, ctx);
  return app;
}

/** proxy-addr's rule for a hop count: the nearest `hops` addresses are proxies. */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
