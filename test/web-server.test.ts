// `dura web` over HTTP without a browser (fastify inject): what a browser test cannot show. Hostile
// input (CSRF, honeypot, body limit, rate limit, unknown paths, markup in names) starts nothing; the
// JSON list has its shape and, like every page, never shows a listed address or an official; status
// links that are tampered, expired, withdrawn or someone else's show no data. Requests and status pages
// run on the dev server with a real worker (the command itself: web-command.test.ts).
import { strict as assert } from 'node:assert';
import type { FastifyInstance } from 'fastify';
import { mailSettings } from '../activities/mail/settings';
import { recordPayloadEncryption } from '../activities/records/engine-settings';
import { revokeStatusLinks } from '../activities/records/status-links';
import { loadConfig, type Config } from '../common/config';
import { signStatusLink } from '../common/status-link';
import { requestPatiently, startingPolicy } from '../client/agreements';
import { UnreachableError } from '../client/output';
import { buildWebServer, type WebDeps } from '../web/server';
import { realEngine } from './helpers/engine';
import { until } from './helpers/wait';
import { devServerEnv } from './helpers/env';
import { follow, h1s, post, requested, requestFields, session, unescape } from './helpers/web-inject';

const KEY_TEXT = Buffer.alloc(32, 7).toString('base64');
const KEY = new Uint8Array(Buffer.from(KEY_TEXT, 'base64'));
/** What no page and no JSON may ever show: a listed address, an official, a contact. */
const NEVER_SHOWN = ['lin@harbor.org', 'olga@harbor.org', 'Olga Official', 'contracts@harbor.org'];

describe('dura web over HTTP', function () {
  this.timeout(120_000);
  const engine = realEngine(devServerEnv, { DURA_LINK_KEY: KEY_TEXT });
  let config: Config;
  let calls = 0;
  const apps: FastifyInstance[] = [];

  /** A server on the engine; `calls` counts every use of Temporal. */
  async function web(overrides: Partial<WebDeps> = {}): Promise<FastifyInstance> {
    const app = await buildWebServer({
      config,
      web: { host: '127.0.0.1', port: 0, rateLimit: 1000, trustProxy: false },
      store: engine.dura.store,
      temporal: () => {
        calls++;
        return Promise.resolve(engine.env.client);
      },
      linkKey: KEY,
      links: mailSettings({}).links,
      logLevel: 'silent',
      ...overrides,
    });
    apps.push(app);
    return app;
  }
  /** Whether the institution's workflow exists (a request for it started something). */
  const started = (domain: string) =>
    engine.env.client.workflow
      .getHandle(`dura-${domain}`)
      .describe()
      .then(
        () => true,
        () => false,
      );

  before(async () => {
    config = loadConfig({ ...engine.cliEnv, DURA_LINK_KEY: KEY_TEXT });
    const store = engine.dura.store;
    await store.importInstitutions(
      [
        { domain: 'lakeside.edu', name: 'Lakeside University', tiers: ['registered', 'controlled'] },
        { domain: 'harbor.org', name: 'Harbor Research Institute', tiers: [] },
        { domain: 'northfield.edu', name: 'Northfield College', tiers: ['registered'] },
      ],
      '2026-01-15',
    );
    await store.addInstitutionDomain('lakeside.edu', 'lakeside-med.org');
    await store.setTierRule('harbor.org', 'registered', 'individual', '2026-02-01');
    await store.addInstitutionAddress('harbor.org', 'registered', 'lin@harbor.org');
    await store.addInstitutionOfficial('harbor.org', { name: 'Olga Official', email: 'olga@harbor.org' });
    await store.setContractingContact('harbor.org', 'contracts@harbor.org');
  });
  after(async () => {
    for (const app of apps) await app.close();
  });

  it('every page: lang, one h1, the main landmark; /api/institutions: its shape, for any origin', async () => {
    const app = await web();
    for (const [url, h1] of [
      ['/', 'All of Us data access'],
      ['/institutions', 'Registered Institutions'],
      ['/check', 'Am I covered?'],
      ['/request', 'Request a DURA'],
    ]) {
      const page = await app.inject(url!);
      assert.equal(page.statusCode, 200, url);
      assert.match(page.body, /^<!doctype html>\n<html lang="en">/);
      assert.deepEqual(h1s(page.body), [h1], url);
      assert.match(page.body, /<main id="main"/);
    }
    const api = await app.inject('/api/institutions');
    assert.equal(api.headers['access-control-allow-origin'], '*');
    assert.deepEqual(api.json(), {
      institutions: [
        {
          id: 'harbor.org',
          name: 'Harbor Research Institute',
          domains: ['harbor.org'],
          tiers: [{ tier: 'registered', access: 'individual', listedOn: '2026-02-01' }],
        },
        {
          id: 'lakeside.edu',
          name: 'Lakeside University',
          domains: ['lakeside.edu', 'lakeside-med.org'],
          tiers: [
            { tier: 'registered', access: 'institution', listedOn: '2026-01-15' },
            { tier: 'controlled', access: 'institution', listedOn: '2026-01-15' },
          ],
        },
        {
          id: 'northfield.edu',
          name: 'Northfield College',
          domains: ['northfield.edu'],
          tiers: [{ tier: 'registered', access: 'institution', listedOn: '2026-01-15' }],
        },
      ],
    });
    const found = await app.inject('/api/institutions?q=MED.org');
    assert.deepEqual(
      found.json().institutions.map((i: { id: string }) => i.id),
      ['lakeside.edu'],
    );
    const page = await app.inject('/institutions?q=harbor');
    assert.match(page.body, /<p id="result-count" role="status">1 institution<\/p>/);
    assert.match(
      page.body,
      /<tr data-institution="harbor.org">[^]*?<td data-label="Registered Tier">Individual<\/td>/,
    );
    const none = await app.inject('/institutions?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    assert.match(none.body, /No listed institution matches “&lt;script&gt;alert\(1\)&lt;\/script&gt;”/);
    assert.ok(!none.body.includes('<script>'));
  });

  it('a lapsed tier (issue 18) stays on the list, marked lapsed, on the page and in the JSON', async () => {
    const app = await web();
    // As a lapse writes it (activities/records/terms.ts recordTerm); put back after.
    const lapse = (lapsedOn: string | null, lapsedBy: string | null) =>
      engine.dura.store.db
        .updateTable('institution_tiers')
        .set({ lapsed_on: lapsedOn, lapsed_by: lapsedBy })
        .where('domain', '=', 'lakeside.edu')
        .where('tier', '=', 'controlled')
        .execute();
    await lapse('2027-03-12', 'lakeside.edu-1');
    try {
      const api = await app.inject('/api/institutions?q=lakeside');
      assert.deepEqual(api.json().institutions[0].tiers[1], {
        tier: 'controlled',
        access: 'institution',
        listedOn: '2026-01-15',
        lapsedOn: '2027-03-12',
      });
      const page = await app.inject('/institutions?q=lakeside');
      assert.match(
        page.body,
        /<td data-label="Controlled Tier">Controlled — lapsed on Friday, March 12, 2027<\/td>/,
      );
    } finally {
      await lapse(null, null);
    }
  });

  it('no page and no JSON shows a listed address, an official or a contact', async () => {
    const app = await web();
    const s = await session(app, '/check');
    const pages = [
      await app.inject('/institutions'),
      await app.inject('/institutions?q=harbor'),
      await app.inject('/api/institutions'),
      await app.inject('/api/institutions?q=harbor.org'),
      await post(app, '/check', { email: 'someone@harbor.org', tier: 'registered' }, s),
      await post(app, '/check', { email: 'ada@harbor.org', tier: 'controlled' }, s),
    ];
    for (const page of pages)
      for (const secret of NEVER_SHOWN) assert.ok(!page.body.includes(secret), `${secret} shown`);
    assert.match(pages[4]!.body, /requires individual agreements, and someone@harbor.org is not listed/);
    // Covered for one tier of the two asked: the heading says which, not "No".
    const partly = await post(app, '/check', { email: 'ada@northfield.edu', tier: 'controlled' }, s);
    assert.match(
      partly.body,
      /<h2 id="answer-title">Partly: ada@northfield\.edu is covered for the Registered Tier, not the Controlled Tier<\/h2>/,
    );
    // The answer in the page's title too: a screen reader says it as the page loads.
    assert.match(
      partly.body,
      /<title>Partly: ada@northfield\.edu is covered for the Registered Tier, not the Controlled Tier — Am I covered\? \| All of Us DURA<\/title>/,
    );
    assert.match(
      unescape(pages[4]!.body),
      /href="\/request\?email=someone%40harbor.org&amp;domain=harbor.org&amp;institution=Harbor\+Research\+Institute&amp;tier=registered"/,
    );
    // A personal provider's address: no request for gmail.com (a trial's became an "institution").
    const gmail = unescape(
      (await post(app, '/check', { email: 'ada@gmail.com', tier: 'registered' }, s)).body,
    );
    assert.match(gmail, /gmail\.com is a personal e-mail provider's domain, not an institution's/);
    assert.match(gmail, /href="\/request\?email=ada%40gmail\.com"/);
    assert.doesNotMatch(gmail, /domain=gmail/);
  });

  it('hostile input starts nothing: no CSRF token, a filled honeypot, a body too large, markup, unknown paths', async () => {
    const logLines: string[] = [];
    const app = await web({ logLevel: 'warn', logStream: { write: (line) => void logLines.push(line) } });
    calls = 0;
    const fields = requestFields('hostile.edu', 'ada@hostile.edu', '<script>alert(1)</script>');
    const forged = await post(app, '/request', fields);
    assert.equal(forged.statusCode, 403);
    assert.deepEqual(h1s(forged.body), ['Request a DURA']);
    assert.match(
      forged.body,
      /Please send the form again[^]*Your answers are below: check them and send the form again\./,
    );
    assert.match(forged.body, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/, 'values kept, escaped');
    assert.ok(!forged.body.includes('<script>'));
    const s = await session(app);
    assert.equal((await post(app, '/request', fields, { ...s, csrf: `${s.csrf}x` })).statusCode, 403);
    assert.equal((await post(app, '/check', { email: 'ada@hostile.edu' })).statusCode, 403);
    // A tier no radio button sends is refused with the address's problem, not answered for another tier.
    const tiered = await post(app, '/check', { email: 'ada@', tier: 'gold' }, await session(app));
    assert.equal(tiered.statusCode, 400);
    assert.match(
      tiered.body,
      /href="#email">Enter an e-mail address such as ada@uw\.edu<[^]*href="#tier-registered"/,
    );
    assert.match(tiered.body, /id="tier-error"[^]*Choose the Registered Tier or the Controlled Tier/);
    assert.ok(!tiered.body.includes('id="answer"'), 'no answer for a tier not asked');

    // Hidden from screen readers as from sight, out of the tab order (a trial's screen reader read it).
    const form = await app.inject('/request');
    assert.match(
      form.body,
      /<div class="trap" aria-hidden="true">\s*<label for="website">[^<]*<\/label>\s*<input id="website" name="website" type="text" tabindex="-1"/,
    );
    const trap = await post(app, '/request', { ...fields, website: 'http://spam.example' }, s);
    assert.deepEqual(h1s((await follow(app, trap)).body), ['Request received']);
    // The received page shows only what a signed cookie carries: a forged one, or none, shows nothing.
    const forgedAnswer = trap.cookies
      .find((c) => c.name === 'dura_received')!
      .value.replace('started', 'joined');
    for (const cookie of [`dura_received=${forgedAnswer}`, '']) {
      const nothing = await app.inject({ url: '/request/received', headers: { cookie } });
      assert.equal(nothing.statusCode, 404);
      assert.deepEqual(h1s(nothing.body), ['No request to show']);
    }
    // The log says so as the worker's lines read (level names, ISO time, a name), and names no one.
    const logged = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const honeypot = logged.find((line) => line.event === 'honeypot');
    assert.deepEqual([honeypot?.level, honeypot?.name], ['warn', 'dura-web'], logLines.join(''));
    assert.match(String(honeypot?.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(!logLines.join('').includes('@hostile.edu'), 'no address logged');

    const big = await post(app, '/request', { ...fields, official_title: 'x'.repeat(17 * 1024) }, s);
    assert.equal(big.statusCode, 413);
    assert.deepEqual(h1s(big.body), ['The form was too large']);
    // A long name is refused in words that read ("Shorten your name", not "the your name").
    const long = await post(app, '/request', { ...fields, requester_name: 'N'.repeat(500) }, s);
    assert.equal(long.statusCode, 400);
    assert.match(
      long.body,
      /id="requester_name-error"><span class="visually-hidden">Error: <\/span>Shorten your name to 200 characters or fewer</,
    );

    const invalid = await post(
      app,
      '/request',
      { ...fields, requester_email: 'not-an-address', tiers: [] },
      s,
    );
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /<div id="error-summary" class="error-summary" role="alert" tabindex="-1">/);
    assert.match(
      unescape(invalid.body),
      /<a href="#requester_email">Enter your e-mail address in full, such as ada@uw\.edu<\/a>/,
    );
    assert.match(
      invalid.body,
      /<a href="#tiers-registered">Choose the Registered Tier, the Controlled Tier or both<\/a>/,
    );
    // Each problem an instruction for its own field, read alone in the summary (a trial).
    const blank = await post(
      app,
      '/request',
      { ...fields, institution_name: ' ', official_email: 'osp@' },
      await session(app),
    );
    assert.match(unescape(blank.body), /<a href="#institution_name">Enter your institution's name<\/a>/);
    assert.match(
      unescape(blank.body),
      /<a href="#official_email">Enter the signing official's e-mail address in full, such as osp@uw\.edu<\/a>/,
    );
    // What was typed shows the slip (a trial): two addresses in one field, a web address for a domain,
    // a tier no box posts.
    const slips = await post(
      app,
      '/request',
      {
        ...fields,
        domain: 'https://www.Hostile.edu/about',
        official_email: 'osp@hostile.edu, dean@hostile.edu',
        tiers: 'gold',
      },
      await session(app),
    );
    assert.equal(slips.statusCode, 400);
    const said = unescape(slips.body);
    assert.match(
      said,
      /<a href="#domain">Enter the e-mail domain alone, without https:\/\/, www\. or a path: hostile\.edu<\/a>/,
    );
    assert.match(
      said,
      /<a href="#official_email">Enter one signing official's address here, not 2: the access team can add the others<\/a>/,
    );
    const more = unescape(
      (
        await post(
          app,
          '/request',
          { ...fields, requester_email: 'Dee Dual <dee@hostile.edu>', domain: 'www.hostile.edu' },
          await session(app),
        )
      ).body,
    );
    assert.match(
      more,
      /<a href="#requester_email">Enter the address alone, without the name: dee@hostile\.edu<\/a>/,
    );
    assert.match(
      more,
      /<a href="#domain">Enter the e-mail domain alone, without https:\/\/, www\. or a path: hostile\.edu<\/a>/,
    );
    // Letters beyond ASCII before the @ (a trial's jörg@…): said as such, not "in full".
    const accented = unescape(
      (await post(app, '/request', { ...fields, requester_email: 'jörg@uni-köln.de' }, await session(app)))
        .body,
    );
    assert.match(
      accented,
      /<a href="#requester_email">Enter an address with plain letters \(a–z\) before the @: ö cannot be used there<\/a>/,
    );
    const atSign = unescape(
      (await post(app, '/request', { ...fields, domain: 'dee@hostile.edu' }, await session(app))).body,
    );
    assert.match(atSign, /<a href="#domain">Enter the domain alone, the part after the @: hostile\.edu<\/a>/);
    assert.match(
      said,
      /<a href="#tiers-registered">Choose the Registered Tier, the Controlled Tier or both<\/a>/,
    );
    assert.match(
      invalid.body,
      /aria-describedby="requester_email-hint requester_email-error" aria-invalid="true"/,
    );
    assert.match(invalid.body, /<p class="field-error" id="requester_email-error">/);
    assert.match(invalid.body, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);

    for (const url of ['/nope', '/status', '/api/institutions/x', '/assets/../package.json']) {
      const missing = await app.inject(url);
      assert.equal(missing.statusCode, 404, url);
      assert.deepEqual(h1s(missing.body), ['Page not found']);
      assert.doesNotMatch(missing.body, /\bat .*\.(ts|js):\d+|stack|Error:/);
    }
    assert.equal(calls, 0, 'Temporal was never asked');
    assert.equal(await started('hostile.edu'), false);
    assert.equal(engine.smtp.arrived.filter(({ mail }) => /hostile/.test(mail.text ?? '')).length, 0);
  });

  it('a flood of form posts from one address: 429 after the limit, /check and /request counted together', async () => {
    const app = await web({ web: { host: '127.0.0.1', port: 0, rateLimit: 3, trustProxy: false } });
    calls = 0;
    const s = await session(app, '/check');
    for (let i = 0; i < 2; i++)
      assert.equal((await post(app, '/check', { email: `ada${i}@lakeside.edu` }, s)).statusCode, 200);
    assert.equal((await post(app, '/request', { domain: 'x' }, s)).statusCode, 400);
    const flood = await post(app, '/request', requestFields('flood.edu', 'ada@flood.edu'), s);
    assert.equal(flood.statusCode, 429);
    // The form again, with what was typed (a trial lost it to a bare page), and why nothing was sent.
    assert.deepEqual(h1s(flood.body), ['Request a DURA']);
    assert.match(
      flood.body,
      /<h2>Too many requests<\/h2>\s*<p>Too many forms came from your network in the last minute, so this request was not sent\./,
    );
    assert.match(flood.body, /value="ada@flood\.edu"/);
    assert.match(flood.body, /<title>Error: Request a DURA \| All of Us DURA<\/title>/);
    const checks = await post(app, '/check', { email: 'ada@lakeside.edu' }, s);
    assert.equal(checks.statusCode, 429);
    assert.match(checks.body, /<title>Error: Am I covered\? \| All of Us DURA<\/title>/);
    assert.equal(calls, 0);
    assert.equal((await app.inject('/institutions')).statusCode, 200, 'pages are not limited');
  });

  it('behind a trusted proxy, each client has its own limit (X-Forwarded-For); untrusted, the header is ignored', async () => {
    const behind = (trustProxy: string[] | false) =>
      web({ web: { host: '127.0.0.1', port: 0, rateLimit: 1, trustProxy } });
    const from = async (app: FastifyInstance, client: string) => {
      const s = await session(app, '/check');
      const form = new URLSearchParams({ _csrf: s.csrf, email: 'ada@lakeside.edu' }).toString();
      return app.inject({
        method: 'POST',
        url: '/check',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: s.cookie,
          'x-forwarded-for': client,
        },
        payload: form,
      });
    };
    const proxied = await behind(['127.0.0.1']);
    assert.equal((await from(proxied, '203.0.113.1')).statusCode, 200);
    assert.equal((await from(proxied, '203.0.113.2')).statusCode, 200, 'another client behind the proxy');
    assert.equal((await from(proxied, '203.0.113.1')).statusCode, 429);
    const direct = await behind(false);
    assert.equal((await from(direct, '203.0.113.1')).statusCode, 200);
    assert.equal((await from(direct, '203.0.113.2')).statusCode, 429, 'a forged header buys nothing');
  });

  it('a join to an agreement past its initiation deadline is told it is late, not "within two business days"', async () => {
    // A request recovered from a mailbox ten days on, waiting for `dura initiate`.
    const receivedAt = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const fields = requestFields('late.edu', 'mia@late.edu', 'Mia Late');
    await requestPatiently(
      engine.env.client,
      {
        institution: { name: fields.institution_name, domain: 'late.edu' },
        requester: { name: 'Mia Late', email: 'mia@late.edu' },
        signingOfficial: { name: 'Sam Signer', email: 'osp@late.edu' },
        tiers: ['registered'],
        receivedAt,
      },
      { taskQueue: config.DURA_TASK_QUEUE, policy: startingPolicy(config, { initiation: 'manual' }) },
    );
    const app = await web();
    const s = await session(app);
    const joined = await requested(app, requestFields('late.edu', 'ned@late.edu', 'Ned'), s);
    assert.match(joined.body, /your request joined it/);
    assert.match(
      unescape(joined.body),
      /We are late sending the agreement to your institution's signing official/,
    );
    assert.doesNotMatch(joined.body, /We initiate the agreement/);
  });

  it('a request starts an agreement, a second joins it, a covered address starts nothing', async () => {
    const app = await web();
    const s = await session(app);
    const posted = await post(app, '/request', requestFields('web1.edu', 'ada@web1.edu'), s);
    // Post/redirect/get: the answer is a page of its own, so a reload sends nothing again.
    assert.equal(posted.statusCode, 303, posted.body);
    assert.equal(posted.headers.location, '/request/received');
    assert.doesNotMatch(String(posted.headers.location), /web1|ada/, 'no id or address in the URL');
    const first = await follow(app, posted);
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(h1s(first.body), ['Request received']);
    assert.match(first.body, /Your agreement's id is <strong id="agreement-id">web1.edu-1<\/strong>/);
    assert.match(first.body, /<ol id="timeline">/);
    assert.doesNotMatch(first.body, /id="official-outside"/);
    // The address the mail goes to, so a mistyped one shows (a trial's could not tell).
    assert.match(
      first.body,
      /<p id="mailed-to">\s*We e-mail <strong>ada@web1\.edu<\/strong> about it\. If our message/,
    );
    // The engine encrypts and this server has no key: nothing sent, the form again with its answers.
    await recordPayloadEncryption(engine.dura.store.db, { writes: 'k1', reads: ['k1'] });
    const unkeyed = await post(app, '/request', requestFields('web9.edu', 'ada@web9.edu'), s).finally(() =>
      engine.dura.store.db.deleteFrom('engine_settings').execute(),
    );
    assert.equal(unkeyed.statusCode, 503);
    assert.match(unkeyed.body, /Nothing was sent/);
    assert.equal(await engine.dura.store.agreementStatus('web9.edu-1'), null);
    // A personal provider's domain named as the institution's: refused beside the field, nothing sent.
    const before = calls;
    const webmail = await post(app, '/request', requestFields('gmail.com', 'ada@gmail.com'), s);
    assert.equal(webmail.statusCode, 400);
    assert.match(
      unescape(webmail.body),
      /Enter your institution's own domain: gmail\.com is a personal e-mail provider's \(your address may still be at gmail\.com\)/,
    );
    // With the form's other problems, all at once (a trial fixed five, then met gmail.com).
    const more = await post(app, '/request', { ...requestFields('gmail.com', 'ada@'), official_name: '' }, s);
    assert.equal(more.statusCode, 400);
    for (const said of [
      /Enter your institution's own domain: gmail\.com/,
      /requester_email/,
      /official_name/,
    ])
      assert.match(unescape(more.body), said);
    assert.equal(calls, before, 'nothing sent');
    // Addresses and a domain at no top-level domain: each refused beside its field, nothing sent.
    const nowhere = await post(
      app,
      '/request',
      { ...requestFields('uiowa.eud', 'pia@uiowa.eud'), official_email: 'otto@uiowa.eud' },
      s,
    );
    assert.equal(nowhere.statusCode, 400);
    for (const [id, what] of [
      ['domain', "your institution's domain"],
      ['requester_email', 'your e-mail address'],
      ['official_email', "the signing official's e-mail address"],
    ])
      assert.match(
        unescape(nowhere.body),
        new RegExp(
          `id="${id}-error"><span class="visually-hidden">Error: </span>Check the spelling of ${what}: \\.eud is no top-level domain`,
        ),
      );
    // With another field's problem (a domain typed with its slash): every problem at once (a trial
    // fixed the domain, sent the form again, and only then met the official's .eud).
    const slashAndTld = await post(
      app,
      '/request',
      { ...requestFields('kent.edu/', 'pia@kent.edu'), official_email: 'olga@kent.eud' },
      s,
    );
    assert.equal(slashAndTld.statusCode, 400);
    assert.match(
      unescape(slashAndTld.body),
      /id="domain-error"><span class="visually-hidden">Error: <\/span>Enter the e-mail domain alone/,
    );
    assert.match(
      unescape(slashAndTld.body),
      /id="official_email-error"><span class="visually-hidden">Error: <\/span>Check the spelling of the signing official's e-mail address: \.eud is no top-level domain/,
    );
    assert.equal(calls, before, 'nothing sent');
    // The researcher's own address as the official's (a trial's form took it): refused at the field.
    const ownAddress = await post(
      app,
      '/request',
      { ...requestFields('own.edu', 'walt@own.edu'), official_email: 'Walt@own.edu' },
      s,
    );
    assert.equal(ownAddress.statusCode, 400);
    assert.match(
      unescape(ownAddress.body),
      /id="official_email-error"><span class="visually-hidden">Error: <\/span>Enter the signing official's own address, not yours/,
    );
    assert.equal(calls, before, 'nothing sent');
    // A new agreement's official typed at another domain (a trial's olga@kent.eud): said at once.
    const olga = await requested(
      app,
      { ...requestFields('web7.edu', 'ada@web7.edu'), official_email: 'olga@web7-fund.org' },
      s,
    );
    assert.match(
      olga.body,
      /<p id="official-outside">\s*The signing official's address you gave, olga@web7-fund\.org, is not at web7\.edu\. If it\s+is mistyped, write to the access team/,
    );
    // A mistyped domain with the official of an agreement in process (a trial's kentt.edu beside
    // kent.edu-1): started, but held for the access team, and the page does not say it is on its way.
    const twin = await requested(
      app,
      { ...requestFields('web1x.edu', 'tim@web1.edu'), official_email: 'osp@web1.edu' },
      s,
    );
    assert.match(twin.body, /id="agreement-id">web1x.edu-1</);
    assert.match(
      twin.body,
      /The access team looks at your request before it goes to your institution's signing official/,
    );
    assert.doesNotMatch(twin.body, /on its way/);
    const heldEvent = async () =>
      (await engine.dura.store.agreementStatus('web1x.edu-1'))?.history.find(
        (e) => e.event === 'initiation-held',
      );
    await until(async () => Boolean(await heldEvent()));
    assert.equal((await engine.dura.store.agreementStatus('web1x.edu-1'))?.policy.initiation, 'manual');
    assert.match(
      (await heldEvent())?.detail ?? '',
      /^the request form: web1\.edu-1 is in process for University of web1\.edu under web1\.edu \(the same signing official\)/,
    );
    const callsBefore = calls;
    const reloaded = await follow(app, posted);
    assert.equal(reloaded.body, first.body, 'a reload shows the same answer');
    assert.equal(calls, callsBefore, 'and sends nothing');
    const second = await follow(
      app,
      await post(app, '/request', requestFields('web1.edu', 'grace@web1.edu', 'Grace Hopper'), s),
    );
    assert.match(second.body, /id="agreement-id">web1.edu-1</);
    assert.match(second.body, /your request joined it/);
    // The same request twice at once (a double click): whichever answers second, neither promises
    // "within two business days" while the package goes out by itself.
    const twice = await Promise.all(
      [1, 2].map(() => requested(app, requestFields('web6.edu', 'ada@web6.edu'), s)),
    );
    for (const page of twice) {
      assert.match(page.body, /id="agreement-id">web6\.edu-1</);
      assert.doesNotMatch(
        page.body,
        /We initiate the agreement with your institution's signing official within two/,
      );
      assert.match(
        page.body,
        /on its way to your institution's signing official now|We have sent the agreement/,
      );
    }
    // Joining with the official's fields blank (the check page's join link): the agreement's own.
    const blankOfficial = await follow(
      app,
      await post(
        app,
        '/request',
        { ...requestFields('web1.edu', 'hal@web1.edu', 'Hal Hill'), official_name: '', official_email: '' },
        s,
      ),
    );
    assert.match(blankOfficial.body, /your request joined it/);
    assert.doesNotMatch(blankOfficial.body, /id="other-official"|osp@web1\.edu/);
    // With no agreement in process, they are required as before.
    const noAgreement = await post(
      app,
      '/request',
      { ...requestFields('web8.edu', 'hal@web8.edu'), official_name: '', official_email: '' },
      s,
    );
    assert.equal(noAgreement.statusCode, 400);
    assert.match(unescape(noAgreement.body), /Enter the signing official's name/);
    assert.doesNotMatch(second.body, /id="outside-address"/);
    // An address outside the institution is accepted, as `dura request` accepts it, and said at once.
    const gus = await follow(
      app,
      await post(app, '/request', requestFields('web1.edu', 'gus@gmail.com', 'Gus Guest'), s),
    );
    assert.match(
      gus.body,
      /<p id="outside-address">\s*Your address gus@gmail\.com is not at web1\.edu\.\s+We accepted your request[^]*write to the access team at\s*<a href="mailto:/,
    );

    // A join naming another signing official: the agreement keeps its own (never shown), and says so.
    const bobNaming = async (official_name: string, official_email: string) =>
      follow(
        app,
        await post(
          app,
          '/request',
          { ...requestFields('web1.edu', 'bob@web1.edu', 'Bob Stone'), official_name, official_email },
          s,
        ),
      );
    const bob = await bobNaming('Dean Other', 'dean@web1.edu');
    assert.match(bob.body, /your request joined it/);
    assert.match(
      unescape(bob.body),
      /<p id="other-official">\s*Your institution's agreement already has its signing official, so it was not sent to dean@web1\.edu,\s*whom you named\./,
    );
    assert.ok(
      !bob.body.includes('osp@web1.edu') && !bob.body.includes('Sam Signer'),
      'its own official not shown',
    );
    assert.doesNotMatch(second.body, /id="other-official"/, 'not when the same official is named');
    // Bob asking again, naming yet another official: asked already, and said so too (a trial).
    const again = await bobNaming('Vice Provost', 'vp@web1.edu');
    assert.match(again.body, /You had already asked for this agreement/);
    assert.match(
      unescape(again.body),
      /<p id="other-official">[^<]*not sent to vp@web1\.edu,\s*whom you named\./,
    );
    assert.doesNotMatch(bob.body, /id="institution-kept"/, 'the same name');
    // A join under another name (a trial's "Univ." for "University"): the agreement keeps its own, said so.
    const renamed = await follow(
      app,
      await post(
        app,
        '/request',
        { ...requestFields('web1.edu', 'cy@web1.edu', 'Cy Young'), institution_name: 'Univ. of web1.edu' },
        s,
      ),
    );
    assert.match(
      unescape(renamed.body),
      /<p id="institution-kept">Your institution's agreement is under the name University of web1\.edu, which it keeps\.<\/p>/,
    );
    // The same name in other case and accents is the same name: nothing to say.
    const same = await requested(
      app,
      { ...requestFields('web1.edu', 'dee@web1.edu', 'Dee Do'), institution_name: 'UNIVÉRSITY OF WEB1.EDU' },
      s,
    );
    assert.match(same.body, /your request joined it/);
    assert.doesNotMatch(same.body, /id="institution-kept"/);

    // With the signing official for the Registered Tier only, a request for the Controlled Tier alone is
    // told which tier joins it now (unticking the only one asked would just ask to choose a tier).
    await until(
      async () => (await engine.dura.store.agreementStatus('web1.edu-1'))?.stage === 'awaiting-signature',
    );
    const controlled = await post(
      app,
      '/request',
      { ...requestFields('web1.edu', 'lin@web1.edu', 'Lin Chen'), tiers: 'controlled' },
      s,
    );
    assert.equal(controlled.statusCode, 400, controlled.body);
    assert.match(
      unescape(controlled.body),
      /id="tiers-error"><span class="visually-hidden">Error: <\/span>Tick the Registered Tier instead of the Controlled Tier to join your institution's agreement in process \(web1\.edu-1\) now \(it is for the Registered Tier only\); the Controlled Tier can be requested once it is signed</,
    );
    // The same from a personal address: asked about as at the institution, the same instruction (a trial
    // got the agreement's raw refusal after the form had let it through).
    const personal = await post(
      app,
      '/request',
      { ...requestFields('web1.edu', 'lin.chen@gmail.com', 'Lin Chen'), tiers: 'controlled' },
      s,
    );
    assert.equal(personal.statusCode, 400, personal.body);
    assert.match(
      unescape(personal.body),
      /id="tiers-error"><span class="visually-hidden">Error: <\/span>Tick the Registered Tier instead of the Controlled Tier to join your institution's agreement in process \(web1\.edu-1\) now/,
    );
    // Ada, one of its requesters, asking it for the Controlled Tier: nothing to join, the same wait.
    const ada = await post(
      app,
      '/request',
      { ...requestFields('web1.edu', 'ada@web1.edu'), tiers: 'controlled' },
      s,
    );
    assert.equal(ada.statusCode, 400, ada.body);
    assert.match(
      unescape(ada.body),
      /id="tiers-error"><span class="visually-hidden">Error: <\/span>You asked already for your institution's agreement in process \(web1\.edu-1\), which is for the Registered Tier only: the Controlled Tier can be requested once it is signed</,
    );

    // With another field wrong too, both at once (a trial met the tier only after fixing the other).
    const both = await post(
      app,
      '/request',
      {
        ...requestFields('web1.edu', 'lin@web1.edu', 'Lin Chen'),
        tiers: 'controlled',
        institution_name: ' ',
      },
      s,
    );
    assert.equal(both.statusCode, 400);
    assert.match(unescape(both.body), /<a href="#institution_name">Enter your institution's name<\/a>/);
    assert.match(
      unescape(both.body),
      /<a href="#tiers-registered">Tick the Registered Tier instead of the Controlled Tier/,
    );

    // Covered, from an address elsewhere (the form's check goes by the address, triage by the domain):
    // no agreement, so no id to show (a trial saw the request's internal one) and no timeline.
    const guest = await follow(
      app,
      await post(app, '/request', requestFields('lakeside.edu', 'gus@gmail.com', 'Gus Guest'), s),
    );
    assert.deepEqual(h1s(guest.body), ['Request received']);
    assert.match(guest.body, /no agreement is needed, and we sent you an e-mail on how to create an account/);
    assert.doesNotMatch(
      guest.body,
      /id="agreement-id"|dura-request-|<ol id="timeline">|the access team will look at it/,
    );
    assert.match(
      guest.body,
      /<a class="next-step" href="[^"]+">Create an account on the Researcher Workbench<\/a>/,
    );

    // Listed for the Registered Tier, asked for the Controlled Tier: an amendment, said as one.
    const amendment = await follow(
      app,
      await post(
        app,
        '/request',
        { ...requestFields('northfield.edu', 'ned@northfield.edu'), tiers: 'controlled' },
        s,
      ),
    );
    assert.match(
      amendment.body,
      /<p id="outcome">Your institution is listed for the Registered Tier: your request started an amendment that adds the Controlled Tier\.<\/p>/,
    );

    // An institution listed researcher by researcher: the agreement is her own, and the page says so.
    const own = await follow(
      app,
      await post(app, '/request', requestFields('harbor.org', 'nia@harbor.org'), s),
    );
    assert.match(own.body, /id="agreement-id">nia@harbor\.org-1</);
    assert.match(own.body, /Your request started an agreement of your own/);

    calls = 0;
    const covered = await post(app, '/request', requestFields('lakeside.edu', 'ada@lakeside.edu'), s);
    assert.deepEqual(h1s(covered.body), ['You are already covered']);
    assert.equal(calls, 0);
    assert.equal(await started('lakeside.edu'), false);
  });

  it('Temporal unreachable: the form comes back with its values and says nothing was sent', async () => {
    const down = () => Promise.reject(new UnreachableError('Temporal at 127.0.0.1:1: connection refused'));
    const app = await web({ temporal: down });
    const s = await session(app);
    const answer = await post(app, '/request', requestFields('down.edu', 'ada@down.edu'), s);
    assert.equal(answer.statusCode, 503);
    assert.deepEqual(h1s(answer.body), ['Request a DURA']);
    assert.match(answer.body, /<div id="notice" class="notice" role="alert">\s*<h2>Nothing was sent<\/h2>/);
    assert.match(answer.body, /<title>Error: Request a DURA \| All of Us DURA<\/title>/);
    assert.match(answer.body, /value="ada@down.edu"/);

    // Anything else is a 500 page that names nothing internal.
    const broken = await web({ temporal: () => Promise.reject(new Error('boom at the database')) });
    const failed = await post(
      broken,
      '/request',
      requestFields('down.edu', 'ada@down.edu'),
      await session(broken),
    );
    assert.equal(failed.statusCode, 500);
    assert.deepEqual(h1s(failed.body), ['Something went wrong']);
    assert.doesNotMatch(failed.body, /boom|\.ts:\d+/);
  });

  it('status links: the requester sees their agreement and no one else; bad links show no data', async () => {
    const app = await web();
    const link = async (email: string, options: { days?: number; now?: Date } = {}) =>
      `/status/${await signStatusLink({ agreementId: 'web1.edu-1', email }, KEY, { days: 90, ...options })}`;
    const ada = await app.inject(await link('ADA@web1.edu'));
    assert.equal(ada.statusCode, 200, ada.body);
    assert.deepEqual(h1s(ada.body), ['Your DURA request']);
    assert.equal(ada.headers['cache-control'], 'no-store');
    assert.equal(ada.headers['referrer-policy'], 'no-referrer');
    assert.match(ada.body, /<dd id="institution">University of web1.edu<\/dd>/);
    assert.match(ada.body, /<p id="stage"><strong>/);
    assert.match(ada.body, /\d{4}, \d{1,2}:\d\d (AM|PM) ET/, 'dates in New York time in words');
    for (const other of ['grace@web1.edu', 'Grace Hopper', 'osp@web1.edu', 'Sam Signer'])
      assert.ok(!ada.body.includes(other), `${other} shown to ada`);
    // Copied with the sentence's full stop, or out of brackets: the same page.
    for (const tail of ['.', ').', '>'])
      assert.equal((await app.inject(`${await link('ADA@web1.edu')}${tail}`)).statusCode, 200, tail);

    // Down: the records' last snapshot answers, once it holds her: the records trail the workflow (her
    // join is written with the agreement's next write, here the held receipt once the package is out).
    await until(async () =>
      Boolean(
        (await engine.dura.store.agreementStatus('web1.edu-1'))?.requesters.some(
          (r) => r.email === 'grace@web1.edu',
        ),
      ),
    );
    const down = await web({ temporal: () => Promise.reject(new UnreachableError('Temporal: down')) });
    const recorded = await down.inject(await link('grace@web1.edu'));
    assert.equal(recorded.statusCode, 200, recorded.body);
    assert.ok(!recorded.body.includes('ada@web1.edu') && !recorded.body.includes('Ada Rivers'));

    const token = (await link('ada@web1.edu')).slice('/status/'.length);
    const flipped = `${token.slice(0, -5)}${token.at(-5) === 'A' ? 'B' : 'A'}${token.slice(-4)}`;
    const expired = await link('ada@web1.edu', { days: 1, now: new Date(Date.now() - 3 * 86_400_000) });
    const foreign = await link('mallory@web1.edu');
    const withdrawn = await link('grace@web1.edu', { now: new Date(Date.now() - 60_000) });
    await revokeStatusLinks(engine.dura.store.db, 'web1.edu-1', 'grace@web1.edu', new Date());
    for (const [url, status, h1] of [
      [`/status/${flipped}`, 404, 'This link does not work'],
      ['/status/not.a.token', 404, 'This link does not work'],
      [expired, 410, 'This link has expired'],
      [foreign, 410, 'This link was withdrawn'],
      [withdrawn, 410, 'This link was withdrawn'],
    ] as const) {
      const page = await app.inject(url);
      assert.equal(page.statusCode, status, url);
      assert.deepEqual(h1s(page.body), [h1]);
      assert.match(page.body, /To get a new link, write to the access team/);
      for (const data of ['web1.edu-1', 'University of web1.edu', 'ada@web1.edu', 'grace@web1.edu'])
        assert.ok(!page.body.includes(data), `${data} shown for ${h1}`);
    }
  });
});
