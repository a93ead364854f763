/**
 * For the web pages' browser tests (test/web-browser.test.ts): a Registered Institutions list with one
 * institution of each kind, the look every page must pass (axe, no sideways scrolling, a screenshot),
 * keyboard focus, and the status links the requesters' mail carries.
 */
import { strict as assert } from 'node:assert';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { mailSettings } from '../../activities/mail/settings';
import { importRegistry } from '../../activities/records/registry-io';
import type { RecordsStore } from '../../activities/records/store';
import type { Config } from '../../common/config';
import { parseRegistryFile } from '../../common/registry-file';
import { statusLinkKey } from '../../common/status-link';
import { buildWebServer } from '../../web/server';
import { axeViolations, screenshot, type Width } from './browser';
import { addresses, type TestSmtp } from './mail';

/**
 * Lakeside: any address, both tiers (rule domains). Harbor: the Registered Tier for one listed address
 * only (rule individual), with a signing official the pages must never show. Meadow: no Controlled Tier.
 */
export const REGISTRY = [
  {
    id: 'lakeside.edu',
    name: 'Lakeside University',
    domains: ['lakeside.edu', 'lakeside-med.org'],
    tiers: [
      { tier: 'registered', rule: 'domains', listedOn: '2025-02-03' },
      { tier: 'controlled', rule: 'domains', listedOn: '2025-06-30' },
    ],
  },
  {
    id: 'harbor.org',
    name: 'Harbor Research Institute',
    tiers: [{ tier: 'registered', rule: 'individual', addresses: [{ email: 'lin@harbor.org' }] }],
    officials: [{ name: 'Olga Official', email: 'olga@harbor.org', title: 'Director' }],
  },
  { id: 'meadow.edu', name: 'Meadow College', tiers: [{ tier: 'registered', rule: 'domains' }] },
];
/** What no public page may ever show: a listed address, an official. */
export const NEVER_SHOWN = ['lin@harbor.org', 'olga@harbor.org', 'Olga Official'];

/** Imports REGISTRY into the records, as `dura institutions import list.json` does. */
export async function loadRegistry(store: RecordsStore): Promise<void> {
  const file = parseRegistryFile(JSON.stringify(REGISTRY), 'json');
  const result = await importRegistry(store.db, file, { listedOn: '2026-01-15' });
  assert.deepEqual(result.problems, []);
  assert.equal(result.added, REGISTRY.length);
}

/** `dura web`'s server on these records and this Temporal client, on 127.0.0.1 at a free port. */
export async function startPages(
  config: Config,
  store: RecordsStore,
  client: Client,
): Promise<{ server: FastifyInstance; base: string }> {
  const server = await buildWebServer({
    config,
    web: { host: '127.0.0.1', port: 0, rateLimit: 1000, trustProxy: false },
    store,
    temporal: () => Promise.resolve(client),
    linkKey: statusLinkKey(config),
    links: mailSettings({}).links,
  });
  return { server, base: await server.listen({ host: '127.0.0.1', port: 0 }) };
}

/**
 * What every page must pass, at the width it is shown at: axe finds nothing (each violation on a line:
 * id, impact, help, targets) and nothing scrolls sideways. The screenshot is taken first, so a failing
 * page can be looked at.
 */
export async function look(page: Page, name: string, width: Width): Promise<void> {
  await screenshot(page, name, width);
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${name} (${width}): axe violations\n  ${violations.join('\n  ')}`);
  // In the page (as text: this project's TypeScript has no DOM types).
  const sideways = await page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
  assert.ok(sideways <= 0, `${name} (${width}): the page scrolls sideways by ${sideways}px`);
  assert.equal(await page.locator('h1').count(), 1, `${name} (${width}): one h1`);
}

/** Opens `url` and expects its HTTP status. */
export async function open(page: Page, url: string, status = 200): Promise<void> {
  const response = await page.goto(url);
  assert.equal(response?.status(), status, url);
}

/** Types each value into the field of that id. */
export async function fill(page: Page, values: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(values)) await page.fill(`#${id}`, value);
}

/**
 * Does `action` (a click, a key) and waits for the page it sends the browser to: its `load` event, as
 * a form posted to its own URL changes no URL to wait for.
 */
export async function andLoad(page: Page, action: () => Promise<void>): Promise<void> {
  const loaded = page.waitForEvent('load');
  await action();
  await loaded;
}

/** Sends the page's form with its button, and waits for the answer to load. */
export const submit = (page: Page): Promise<void> =>
  andLoad(page, () => page.click('main form button[type=submit]'));

/** Asks /check (at `url`) about `email` for `tier`. */
export async function askCheck(page: Page, url: string, email: string, tier = 'registered'): Promise<void> {
  await open(page, url);
  await page.fill('#email', email);
  await page.check(`input[name=tier][value=${tier}]`);
  await submit(page);
}

/** How many workflows the server holds, running or closed. */
export async function workflowCount(client: Client): Promise<number> {
  let n = 0;
  for await (const _ of client.workflow.list()) n++;
  return n;
}

/** The page's visible text (what a reader sees), for what must and must not be on it. */
export const text = (page: Page): Promise<string> => page.locator('body').innerText();

/** The focused element, and whether its focus shows: an outline at least 2px wide. */
export function focused(page: Page): Promise<{ id: string; what: string; visible: boolean }> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { id: '', what: 'body', visible: false };
    const style = getComputedStyle(el);
    const label = (el.textContent || '').trim().slice(0, 30);
    return {
      id: el.id,
      what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + label + '"',
      visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    };
  })()`);
}

/**
 * Presses Tab until the element `id` has focus (at most `most` times), checking at each stop that the
 * focus is visible; returns what was passed on the way.
 */
export async function tabTo(page: Page, id: string, most = 30): Promise<string[]> {
  const passed: string[] = [];
  for (let i = 0; i < most; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    assert.ok(now.visible, `focus on ${now.what} is not visible (no outline)`);
    if (now.id === id) return passed;
    passed.push(now.what);
  }
  assert.fail(`#${id} not reached in ${most} presses of Tab; passed ${passed.join(', ')}`);
}

/**
 * The status link in the one `kind` message to `to`: in the text and the HTML alike, at `base`
 * (DURA_WEB_URL); returns its path, `/status/<token>`, to open on the server under test.
 */
export function statusLinkIn(smtp: TestSmtp, kind: string, to: string, base: string): string {
  const mails = smtp.arrived.filter(
    ({ mail }) => mail.headers.get('x-dura-kind') === kind && addresses(mail.to).includes(to),
  );
  assert.equal(mails.length, 1, `${kind} to ${to}`);
  const { mail } = mails[0]!;
  const link = new RegExp(`${base.replace(/[.]/g, '\\.')}(/status/[\\w.-]+)`).exec(mail.text ?? '');
  assert.ok(link, `no status link in the ${kind} mail to ${to}:\n${mail.text}`);
  assert.ok(String(mail.html).includes(link[0]), 'the HTML part carries the same link');
  return link[1]!;
}

/** The token with one character of its signature changed: a link someone altered. */
export function tampered(path: string): string {
  const at = path.length - 10;
  return `${path.slice(0, at)}${path[at] === 'A' ? 'B' : 'A'}${path.slice(at + 1)}`;
}
