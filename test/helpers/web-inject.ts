/** fastify `inject` as a browser would post a form: its CSRF cookie and token, the fields, the h1s. */
import { strict as assert } from 'node:assert';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** The page's h1s' text. */
export const h1s = (html: string) => [...html.matchAll(/<h1>([^<]*)<\/h1>/g)].map((m) => m[1]);
/** Handlebars escapes ' and = too; a browser reads them back. */
export const unescape = (s: string) => s.replace(/&#x27;/g, "'").replace(/&#x3D;/g, '=');

export interface Session {
  cookie: string;
  csrf: string;
}

/** The form page's CSRF cookie and token, as a browser would hold them. */
export async function session(app: FastifyInstance, url = '/request'): Promise<Session> {
  const page = await app.inject({ method: 'GET', url });
  const cookie = page.cookies.find((c) => c.name === '_csrf');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(cookie && csrf, `no CSRF cookie and token on ${url}`);
  return { cookie: `_csrf=${cookie.value}`, csrf };
}

/** Posts `fields` as a form (a list repeats the field), with the session's cookie and token if given. */
export function post(
  app: FastifyInstance,
  url: string,
  fields: Record<string, string | string[]>,
  s?: Session,
): Promise<LightMyRequestResponse> {
  const body = new URLSearchParams(s ? { _csrf: s.csrf } : {});
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...(s ? { cookie: s.cookie } : {}) };
  return app.inject({ method: 'POST', url, headers, payload: body.toString() });
}

/** A request form for a registered-tier request from `email` at `domain`. */
export const requestFields = (domain: string, email: string, name = 'Ada Rivers') => ({
  institution_name: `University of ${domain}`,
  domain,
  requester_name: name,
  requester_email: email,
  official_name: 'Sam Signer',
  official_email: `osp@${domain}`,
  tiers: 'registered',
});

/** Follows a 303 as a browser would: a GET of its Location, with the cookies the answer set. */
export async function follow(
  app: FastifyInstance,
  answer: LightMyRequestResponse,
): Promise<LightMyRequestResponse> {
  assert.equal(answer.statusCode, 303, answer.body);
  const cookie = answer.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return app.inject({ method: 'GET', url: String(answer.headers.location), headers: { cookie } });
}

/** The page a request form leads to: posted with the session, its 303 followed. */
export async function requested(
  app: FastifyInstance,
  fields: Record<string, string | string[]>,
  s: Session,
): Promise<LightMyRequestResponse> {
  return follow(app, await post(app, '/request', fields, s));
}
