/**
 * What every route of `dura web` shares: its dependencies (WebDeps, as buildWebServer takes them) and
 * the one way to answer with a page (the layout of web/views/layout.hbs around a page template).
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RecordsStore } from '../activities/records/store';
import type { MailLinks } from '../activities/mail/settings';
import type { Config } from '../common/config';
import type { WebConfig } from './config';

/** What the web server is built from (buildWebServer in web/server.ts). */
export interface WebDeps {
  /** dura's configuration (common/config.ts): ACCESS_TEAM_EMAIL, DURA_TASK_QUEUE, DATABASE_URL, DURA_WEB_URL. */
  config: Config;
  /** web/config.ts: where to listen (the caller listens) and the form posts' rate limit. */
  web: WebConfig;
  /** The records, open for the server's life; the caller closes them after the server. */
  store: RecordsStore;
  /**
   * A Temporal client, connected on first use. Rejects (client/output.ts UnreachableError) while
   * Temporal cannot be reached; the next call tries again. Only /request and /status call it.
   */
  temporal: () => Promise<Client>;
  /** The HMAC key of status links (common/status-link.ts `statusLinkKey`). */
  linkKey: Uint8Array;
  /** The mail settings' links (activities/mail/settings.ts): the Workbench, for "create an account". */
  links: MailLinks;
  /** The clock: a request's receipt, a link's expiry, "what happens next". Default the real one. */
  now?: () => Date;
  /**
   * The server's own log level (pino; default `warn`). Request lines are never logged: a URL may carry
   * an address (`/request?email=…`), and form values are never logged at any level.
   */
  logLevel?: string;
  /** Where the log lines go (default stdout); tests pass a stream to read them. */
  logStream?: { write(line: string): void };
  /** How long /request waits for a worker to take and then finish the request (default 30 s each). */
  patienceMs?: number;
}

/** The form posts' rate limit (@fastify/rate-limit's `app.rateLimit`), one for /check and /request. */
export type FormLimit = ReturnType<FastifyInstance['rateLimit']>;

export interface WebContext extends WebDeps {
  now: () => Date;
}

/** Whether the pages are served over https (DURA_WEB_URL): HSTS, and cookies marked `secure`. */
export const servedOverHttps = (ctx: WebContext): boolean => ctx.config.DURA_WEB_URL.startsWith('https:');

/** The navigation's sections; a page in one marks its link `aria-current="page"`. */
export type Section = 'institutions' | 'check' | 'request';

export interface PageData {
  /** The page's `<title>` (before " | All of Us DURA"); its h1 is in the template. */
  title: string;
  section?: Section;
  [name: string]: unknown;
}

/**
 * Renders `template` (web/views/<template>.hbs, escaped by Handlebars) in the layout and sends it with
 * `status`. Pages are never stored by caches: forms carry a CSRF token, status pages personal data.
 */
export async function sendPage(
  reply: FastifyReply,
  ctx: WebContext,
  template: string,
  data: PageData,
  status = 200,
): Promise<FastifyReply> {
  const html = await reply.viewAsync(`${template}.hbs`, {
    ...data,
    accessTeam: ctx.config.ACCESS_TEAM_EMAIL,
    current: data.section ? { [data.section]: true } : {},
  });
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}

/** One problem in a form, for the summary at the top: links to `#<field>`. */
export interface FormError {
  field: string;
  label: string;
  message: string;
}

/** A text input as web/views/partials/field.hbs draws it. */
export interface FieldView {
  id: string;
  label: string;
  type: string;
  value: string;
  hint?: string;
  error?: string;
  autocomplete?: string;
  /** The ids of its hint and error, for aria-describedby. */
  describedBy?: string;
}

/** A text input with its hint and error wired to it (aria-describedby, aria-invalid). */
export function fieldView(
  field: { id: string; label: string; type?: string; hint?: string; autocomplete?: string },
  value: string,
  error?: string,
): FieldView {
  const describedBy = [field.hint ? `${field.id}-hint` : '', error ? `${field.id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return {
    ...field,
    type: field.type ?? 'text',
    value,
    ...(error ? { error } : {}),
    ...(describedBy ? { describedBy } : {}),
  };
}

/** A form field's value as text: a repeated field's first value, anything else ''; at most `max` characters. */
export function textValue(value: unknown, max = 1000): string {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.slice(0, max) : '';
}

/** A form field's values as a list of text (checkboxes come as one value or many). */
export function textValues(value: unknown): string[] {
  const all = Array.isArray(value) ? value : [value];
  return all.filter((v): v is string => typeof v === 'string').slice(0, 10);
}
