// The researcher's web pages (issue 16) in a real browser (Debian's Chromium, test/helpers/browser.ts)
// against a real engine: the dev server, a worker, the SMTP sink and the records on SQLite, a registry
// with one institution of each kind. Every page passes axe with no violation, at a desktop and a phone
// width, and is saved as a screenshot (test-output/screenshots/). What a browser cannot show (CSRF,
// honeypot, limits, JSON shapes) is in web-server.test.ts.
import { strict as assert } from 'node:assert';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { fetchStatus } from '../client/agreement-handle';
import { loadConfig, type Config } from '../common/config';
import { inWords } from '../common/when';
import { testBrowser, WIDTHS, type Width } from './helpers/browser';
import { realEngine } from './helpers/engine';
import { devServerEnv } from './helpers/env';
import {
  andLoad,
  askCheck,
  fill,
  focused,
  loadRegistry,
  look,
  NEVER_SHOWN,
  open,
  REGISTRY,
  startPages,
  statusLinkIn,
  submit,
  tabTo,
  tampered,
  text,
  workflowCount,
} from './helpers/web';
import { until } from './helpers/wait';

/** Where the mail says the pages are; the links are opened on the server under test. */
const MAIL_BASE = 'http://pages.dura.test';
const LINK_KEY = Buffer.alloc(32, 7).toString('base64');
const RIVERBEND = { institution_name: 'Riverbend University', domain: 'riverbend.edu' };
const OFFICIAL = { official_name: 'Sam Signer', official_email: 'osp@riverbend.edu', official_title: 'Dean' };
const ADA = { requester_name: 'Ada Rivers', requester_email: 'ada@riverbend.edu' };
const GRACE = { requester_name: 'Grace Hopper', requester_email: 'grace@riverbend.edu' };

describe('the web pages in a browser, on a real engine', function () {
  this.timeout(120_000);
  const engine = realEngine(devServerEnv, { DURA_WEB_URL: MAIL_BASE, DURA_LINK_KEY: LINK_KEY });

  // Nested, so that the server and the browser stop before the engine (which replays every history).
  describe('pages', () => {
    const browser = testBrowser();
    let server: FastifyInstance;
    let base: string;
    let config: Config;

    before(async () => {
      await loadRegistry(engine.dura.store);
      config = loadConfig({ ...engine.cliEnv, DURA_WEB_URL: MAIL_BASE, DURA_LINK_KEY: LINK_KEY });
      ({ server, base } = await startPages(config, engine.dura.store, engine.env.client));
    });
    after(() => server?.close());

    /** Runs `scenario` in a new page at each width, then checks and saves the page it ends on. */
    async function atEachWidth(name: string, scenario: (page: Page, width: Width) => Promise<void>) {
      for (const width of WIDTHS) {
        const page = await browser.newPage(width);
        await scenario(page, width);
        await look(page, name, width);
        await page.context().close();
      }
    }
    const at = (path: string) => `${base}${path}`;
    const check = (page: Page, email: string) => askCheck(page, at('/check'), email);
    const workflows = () => workflowCount(engine.env.client);

    it('institutions: the list with its tier words, a search narrowed to one, no match; the JSON agrees', async () => {
      await atEachWidth('institutions', async (page) => {
        await open(page, at('/institutions'));
        assert.equal(await page.title(), 'Registered Institutions | All of Us DURA');
        assert.equal(await page.locator('#result-count').innerText(), '3 institutions');
        const row = (id: string) =>
          page.locator(`#institutions tr[data-institution="${id}"] td`).allInnerTexts();
        const tiers = async (id: string) =>
          (await row(id)).slice(-2).map((t) => t.replace(/\s+/g, ' ').trim());
        assert.deepEqual(await tiers('lakeside.edu'), ['Registered', 'Controlled']);
        assert.deepEqual(await tiers('harbor.org'), ['Individual', '— not listed']);
        assert.deepEqual(await tiers('meadow.edu'), ['Registered', '— not listed']);
        assert.match((await row('lakeside.edu')).join(' '), /lakeside\.edu.*lakeside-med\.org/s);
        for (const hidden of NEVER_SHOWN) assert.ok(!(await page.content()).includes(hidden), hidden);
      });
      await atEachWidth('institutions-search', async (page) => {
        await open(page, at('/institutions'));
        await page.fill('#q', 'HARBOR');
        await page.keyboard.press('Enter');
        await page.waitForURL(/\?q=HARBOR/);
        assert.equal(await page.locator('#result-count').innerText(), '1 institution');
        assert.deepEqual(
          await page
            .locator('#institutions tbody tr')
            .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-institution'))),
          ['harbor.org'],
        );
        assert.equal(await page.inputValue('#q'), 'HARBOR', 'the search is kept');
      });
      await atEachWidth('institutions-no-match', async (page) => {
        await open(page, at('/institutions?q=nowhere.example'));
        assert.equal(
          await page.locator('#result-count').innerText(),
          'No listed institution matches “nowhere.example”.',
        );
        assert.equal(await page.locator('#institutions tbody tr').count(), 0);
        for (const link of ['a[href="/check"]', 'a[href^="/request"]'])
          assert.ok(await page.locator(`main ${link}`).count(), link);
      });
      const api = await fetch(`${base}/api/institutions?q=lakeside`);
      assert.equal(api.headers.get('access-control-allow-origin'), '*');
      // The JSON says what the imported file (REGISTRY) says: its rule as access, never its addresses.
      const lakeside = REGISTRY[0]!;
      assert.deepEqual(await api.json(), {
        institutions: [
          {
            id: lakeside.id,
            name: lakeside.name,
            domains: lakeside.domains,
            tiers: lakeside.tiers.map((t) => ({
              tier: t.tier,
              access: t.rule === 'domains' ? 'institution' : 'individual',
              listedOn: (t as { listedOn?: string }).listedOn,
            })),
          },
        ],
      });
      const all = await (await fetch(`${base}/api/institutions`)).text();
      assert.deepEqual(
        [...all.matchAll(/"access":"(\w+)"/g)].map((m) => m[1]),
        ['individual', 'institution', 'institution', 'institution'],
      );
      for (const hidden of NEVER_SHOWN) assert.ok(!all.includes(hidden), hidden);
    });

    it('check: covered, not listed (the next step is the prefilled form), listed or not under an individual rule, a bad address', async () => {
      const answer = (page: Page) => page.locator('#answer').innerText();
      await atEachWidth('check-covered', async (page) => {
        await check(page, 'Ada@Lakeside-Med.org');
        // The reader is taken to the answer: the next Tab is its link, not the page's header (a trial).
        assert.match(page.url(), /\/check#answer$/);
        await page.keyboard.press('Tab');
        assert.match((await focused(page)).what, /^a "Create an account/);
        assert.match(await answer(page), /Lakeside University/);
        assert.match(await answer(page), /\bcovered\b/i);
        assert.equal(
          await page.locator('#answer a[href^="https://workbench.researchallofus.org/"]').count(),
          1,
        );
      });
      await atEachWidth('check-not-listed', async (page) => {
        await check(page, 'bo@unlisted.edu');
        assert.match(await answer(page), /not (on the Registered Institutions list|listed)/i);
        await Promise.all([page.waitForURL(/\/request\?/), page.click('#answer a[href^="/request?"]')]);
        assert.equal(await page.inputValue('#requester_email'), 'bo@unlisted.edu');
        assert.equal(await page.inputValue('#domain'), 'unlisted.edu');
        assert.equal(await page.inputValue('#institution_name'), '', 'no name to offer for an unlisted one');
        assert.equal(await page.isChecked('#tiers-registered'), true);
      });
      await atEachWidth('check-individual-listed', async (page) => {
        await check(page, 'lin@harbor.org');
        assert.match(await answer(page), /Harbor Research Institute/);
        assert.doesNotMatch(await answer(page), /not covered/i);
      });
      await atEachWidth('check-individual-unlisted', async (page) => {
        await check(page, 'max@harbor.org');
        assert.match(await answer(page), /not covered/i);
        assert.match(await answer(page), /individual/i);
        assert.ok(!(await text(page)).includes('lin@harbor.org'), 'never another address');
        assert.equal(await page.locator('#answer a[href^="/request?"]').count(), 1);
        // The form opens with the listed institution's name already in it.
        await Promise.all([page.waitForURL(/\/request\?/), page.click('#answer a[href^="/request?"]')]);
        assert.equal(await page.inputValue('#institution_name'), 'Harbor Research Institute');
        assert.equal(await page.inputValue('#requester_email'), 'max@harbor.org');
        assert.equal(await page.inputValue('#official_name'), '');
      });
      await atEachWidth('check-bad-address', async (page) => {
        await check(page, 'ada@localhost');
        assert.equal(await page.locator('#answer').count(), 0, 'no answer for a bad address');
        assert.equal(await page.locator('#email').getAttribute('aria-invalid'), 'true');
        assert.match(await page.locator('#error-summary').innerText(), /There is a problem/);
        assert.equal(await page.inputValue('#email'), 'ada@localhost');
      });
    });

    it('request form: empty, every field in the summary linked to it; partly filled, values kept', async () => {
      const required = Object.keys({ ...RIVERBEND, ...ADA, ...OFFICIAL }).filter(
        (id) => id !== 'official_title',
      );
      await atEachWidth('request-empty', async (page) => {
        await open(page, at('/request'));
        await submit(page);
        const summary = page.locator('#error-summary');
        assert.match(await summary.innerText(), /There is a problem/);
        const links = await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        assert.deepEqual(
          links,
          required.map((id) => `#${id}`),
        );
        for (const id of required) {
          assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true', id);
          assert.match(
            (await page.getAttribute(`#${id}`, 'aria-describedby')) ?? '',
            new RegExp(`\\b${id}-error\\b`),
          );
          assert.notEqual(await page.locator(`#${id}-error`).innerText(), '', id);
        }
        await summary.locator('a[href="#official_email"]').click();
        assert.equal((await focused(page)).id, 'official_email', 'the link takes the reader to the field');
      });
      await atEachWidth('request-partly-filled', async (page) => {
        await open(page, at('/request'));
        await fill(page, { ...RIVERBEND, official_email: 'not an address' });
        await page.check('#tiers-controlled');
        await submit(page);
        assert.equal(await page.inputValue('#institution_name'), RIVERBEND.institution_name);
        assert.equal(await page.inputValue('#domain'), RIVERBEND.domain);
        assert.equal(await page.inputValue('#official_email'), 'not an address');
        assert.equal(await page.isChecked('#tiers-controlled'), true);
        assert.equal(await page.getAttribute('#domain', 'aria-invalid'), null);
        assert.equal(await page.getAttribute('#official_email', 'aria-invalid'), 'true');
      });
    });

    it('a request by keyboard alone, then one that joins it; each status link shows its own requester only', async () => {
      const before = await workflows();
      const page = await browser.newPage('desktop');
      await open(page, at('/request'));
      const skipped = await tabTo(page, 'institution_name');
      assert.match(skipped[0] ?? '', /^a/, 'the skip link comes first');
      const typed = { ...RIVERBEND, ...ADA, ...OFFICIAL };
      for (const [id, value] of Object.entries(typed)) {
        if ((await focused(page)).id !== id) await tabTo(page, id, 3);
        await page.keyboard.type(value);
      }
      await andLoad(page, () => page.keyboard.press('Enter'));
      assert.equal(await page.locator('h1').innerText(), 'Request received');
      assert.equal(await page.locator('#agreement-id').innerText(), 'riverbend.edu-1');
      assert.equal((await page.locator('#timeline li').count()) >= 3, true);
      await look(page, 'request-received', 'desktop');
      // Post/redirect/get: the answer has a URL of its own, and reloading it sends nothing again.
      assert.equal(new URL(page.url()).pathname, '/request/received');
      await page.reload();
      assert.equal(await page.locator('#agreement-id').innerText(), 'riverbend.edu-1');
      assert.equal(await workflows(), before + 1, 'a reload started nothing');

      const phone = await browser.newPage('phone');
      await open(phone, at('/request?domain=riverbend.edu'));
      await fill(phone, { ...RIVERBEND, ...GRACE, ...OFFICIAL });
      await submit(phone);
      assert.equal(await phone.locator('#agreement-id').innerText(), 'riverbend.edu-1', 'the same agreement');
      assert.match(await text(phone), /already in process|joined/i);
      await look(phone, 'request-received', 'phone');
      assert.equal(await workflows(), before + 1, 'one agreement for both');

      const { status } = await fetchStatus(engine.env.client, config, 'riverbend.edu');
      assert.deepEqual(status.requesters.map((r) => r.email).sort(), [
        'ada@riverbend.edu',
        'grace@riverbend.edu',
      ]);
      const kind = (k: string) => engine.smtp.arrived.filter((a) => a.mail.headers.get('x-dura-kind') === k);
      await until(() => kind('request-received').length === 2);
      const links = {
        ada: statusLinkIn(engine.smtp, 'request-received', ADA.requester_email, MAIL_BASE),
        grace: statusLinkIn(engine.smtp, 'request-received', GRACE.requester_email, MAIL_BASE),
      };
      assert.equal(status.stage, 'awaiting-signature');
      // A colleague who asks "am I covered?" now hears of the agreement a request of theirs would join.
      await check(page, 'hal@riverbend.edu');
      assert.match(await page.locator('#answer').innerText(), /already in process \(riverbend\.edu-1/);
      assert.equal(
        await page.locator('#answer a', { hasText: 'Join the DURA request in process' }).count(),
        1,
      );
      // The Controlled Tier cannot join an agreement gone to the official without it: it waits, and the
      // link joins for the Registered Tier alone.
      await askCheck(page, at('/check'), 'hal@riverbend.edu', 'controlled');
      assert.match(
        await page.locator('#answer').innerText(),
        /Controlled Tier can be requested once it is signed/,
      );
      const join = page.locator('#answer a', {
        hasText: 'Join the DURA request in process for the Registered Tier (riverbend.edu-1)',
      });
      assert.equal(await join.count(), 1);
      assert.doesNotMatch((await join.getAttribute('href')) ?? '', /tier=controlled/);
      // Asked on the form anyway: the same words, on the tiers field, and nothing started.
      const agreements = await workflows();
      await open(page, at('/request'));
      await fill(page, {
        ...RIVERBEND,
        requester_name: 'Hal Hill',
        requester_email: 'hal@riverbend.edu',
        ...OFFICIAL,
      });
      await page.check('#tiers-controlled');
      await submit(page);
      assert.match(await page.locator('#tiers-error').innerText(), /can be requested once it is signed/);
      assert.match(
        await page.locator('#error-summary a[href="#tiers-registered"]').innerText(),
        /can be requested once it is signed/,
      );
      assert.equal(await workflows(), agreements, 'nothing started');
      await check(page, 'grace@riverbend.edu'); // she asked: nothing to submit
      assert.match(await page.locator('#answer').innerText(), /grace@riverbend\.edu already asked/);
      assert.equal(await page.locator('#answer a.next-step').count(), 0);
      // The New York time the agreement went to the official, as the page words it.
      const sent = inWords(status.initiatedAt!);
      const shows = async (page: Page, self: typeof ADA, other: typeof ADA) => {
        assert.equal(await page.locator('h1').innerText(), 'Your DURA request');
        const seen = await text(page);
        for (const expected of ['Riverbend University', 'riverbend.edu-1', 'Registered Tier', sent])
          assert.ok(seen.includes(expected), `${expected} on the page:\n${seen}`);
        assert.match(await page.locator('#stage').innerText(), /Waiting for your institution to sign/);
        const html = await page.content();
        for (const hidden of [
          other.requester_name,
          other.requester_email,
          OFFICIAL.official_email,
          ...NEVER_SHOWN,
        ])
          assert.ok(!html.includes(hidden), `${self.requester_email}'s page shows ${hidden}`);
      };
      await atEachWidth('status', async (p, width) => {
        const [self, other, link] = width === 'desktop' ? [ADA, GRACE, links.ada] : [GRACE, ADA, links.grace];
        const response = await p.goto(`${base}${link}`);
        assert.equal(response?.status(), 200);
        assert.equal(response?.headers()['cache-control'], 'no-store');
        await shows(p, self, other);
      });
      await atEachWidth('status-tampered', async (p) => {
        await open(p, at(tampered(links.ada)), 404);
        assert.equal(await p.locator('h1').innerText(), 'This link does not work');
        const html = await p.content();
        for (const data of ['Riverbend', 'riverbend.edu-1', 'ada@', 'Ada Rivers'])
          assert.ok(!html.includes(data), data);
        assert.ok(html.includes('mailto:'), 'whom to write to for a new link');
      });
    });

    it('a covered address is told so and starts nothing: no workflow, no mail', async () => {
      const [started, mails] = [await workflows(), engine.smtp.arrived.length];
      await atEachWidth('request-covered', async (page) => {
        await open(page, at('/request'));
        await fill(page, {
          institution_name: 'Lakeside University',
          domain: 'lakeside.edu',
          requester_name: 'Cy Covered',
          requester_email: 'cy@lakeside.edu',
          official_name: 'Pat Provost',
          official_email: 'provost@lakeside.edu',
        });
        await submit(page);
        assert.equal(await page.locator('h1').innerText(), 'You are already covered');
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(await workflows(), started, 'no workflow started');
      assert.equal(engine.smtp.arrived.length, mails);
    });
  });
});
