// `dura registration resend` as a subprocess on the dev server with a real worker, SQLite records and an
// SMTP sink that refuses some addresses for good (550): registration instructions refused at execution
// go again, to a corrected address, and that registration is tracked; refused again, it says so (exit 1)
// and a later resend may follow; bad input is named as typed, all at once, with nothing started.
import { strict as assert } from 'node:assert';
import { registrationsFor } from '../activities/records/registrations';
import { loadConfig } from '../common/config';
import { dura as runDura, requestArgs } from './helpers/cli';
import { realEngine } from './helpers/engine';
import { devServerEnv } from './helpers/env';
import { addresses } from './helpers/mail';
import { until } from './helpers/wait';
import { startPages } from './helpers/web';

const DOMAIN = `resend-${process.pid}.edu`;
const ADA_TYPO = `ada.lovelase@${DOMAIN}`;
const ADA = `ada.lovelace@${DOMAIN}`;
const GRACE_TYPO = `grace.hoper@${DOMAIN}`;
const GRACE_TYPO_AGAIN = `grace.hopperr@${DOMAIN}`;
const GRACE = `grace.hopper@${DOMAIN}`;
const TOM = `tom@${DOMAIN}`;
const LINK_KEY = Buffer.alloc(32, 9).toString('base64');
const today = () => new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });

describe('dura registration resend, on the dev server', function () {
  this.timeout(180_000);
  const engine = realEngine(devServerEnv, { DURA_LINK_KEY: LINK_KEY }, 'sqlite');
  const dura = (...args: string[]) => runDura(args, { ...engine.cliEnv, DURA_LINK_KEY: LINK_KEY });
  const instructionsTo = (email: string) =>
    engine.smtp.arrived.filter(
      (a) =>
        a.mail.headers.get('x-dura-kind') === 'registration-instructions' &&
        addresses(a.mail.to).includes(email),
    );
  let id: string;

  before(async function () {
    this.timeout(120_000);
    for (const typo of [ADA_TYPO, GRACE_TYPO, GRACE_TYPO_AGAIN]) engine.smtp.refuse.set(typo, 550);
    for (const email of [ADA_TYPO, GRACE_TYPO, TOM])
      assert.equal((await dura(...requestArgs(DOMAIN, email))).status, 0);
    const executed = await dura('execute', DOMAIN, '--on', today(), '--json');
    assert.equal(executed.status, 0, executed.stderr);
    id = (JSON.parse(executed.stdout) as { agreementId: string }).agreementId;
    const stage = async () =>
      (JSON.parse((await dura('status', id, '--json')).stdout) as { stage: string }).stage;
    await until(async () => (await stage()) === 'completed', 30_000);
  });

  it('status names the refused addresses and the command that sends them again', async () => {
    const status = await dura('status', id);
    assert.match(
      status.stdout,
      new RegExp(
        `Instructions sent .*\\(not delivered to ${ADA_TYPO}, ${GRACE_TYPO}: see the history; ` +
          '`dura registration resend` sends them again\\)',
      ),
    );
    assert.equal(instructionsTo(TOM).length, 1, 'Tom got his');
  });

  it('sends them to the corrected address, and that registration is tracked', async () => {
    const resent = await dura('registration', 'resend', id, ADA_TYPO, '--to', ADA, '--name', 'Ada Lovelace');
    assert.equal(resent.status, 0, resent.stderr);
    assert.match(
      resent.stdout,
      new RegExp(
        `^${id}: registration instructions sent to ${ADA} \\(for ${ADA_TYPO}\\); the registration is tracked \\(dura-${DOMAIN}-registration-1-1\\)\\n$`,
      ),
    );
    const [message] = instructionsTo(ADA);
    assert.ok(message, 'the instructions arrived at the corrected address');
    assert.match(message.mail.text ?? '', /^Dear Ada Lovelace,/m);
    assert.match(message.mail.text ?? '', /Create your Researcher Workbench account/);
    // Her status page, by the link in that mail and by one made by hand: the corrected address holds
    // one as the requester it stands for would (a second trial found none).
    const linked = /\/status\/\S+/.exec(message.mail.text ?? '')?.[0];
    assert.ok(linked, 'the resent instructions carry a status link');
    const pages = await startPages(
      loadConfig({ ...engine.cliEnv, DURA_LINK_KEY: LINK_KEY }),
      engine.dura.store,
      engine.env.client,
    );
    try {
      const page = await fetch(`${pages.base}${linked}`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), new RegExp(`id="agreement-id">${id}<`));
    } finally {
      await pages.server.close();
    }
    const byHand = await dura('links', 'new', id, ADA);
    assert.equal(byHand.status, 0, byHand.stderr);
    const [row] = await registrationsFor(engine.dura.store.db, ADA);
    assert.ok(row, 'a registration is recorded for the corrected address');
    assert.equal(row.agreementId, id);
    assert.ok(row.nextNudgeAt, 'and nudges are due');
    assert.equal(row.closedAt ?? null, null);

    // Once is enough: the registration is running.
    const twice = await dura('registration', 'resend', id, ADA_TYPO, '--to', ADA);
    assert.equal(twice.status, 1);
    assert.match(
      twice.stderr,
      new RegExp(
        `the instructions were resent already, to ${ADA} on \\d{4}-\\d\\d-\\d\\d, and that registration is tracked`,
      ),
    );
    assert.equal(instructionsTo(ADA).length, 1, 'nothing sent twice');
  });

  it("refused again: exit 1 with the server's answer; a resend to a good address then goes", async () => {
    const refused = await dura('registration', 'resend', id, GRACE_TYPO, '--to', GRACE_TYPO_AGAIN);
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(
      refused.stderr,
      new RegExp(
        `^dura: ${id}: the mail server refused the registration instructions to ${GRACE_TYPO_AGAIN} \\(for ${GRACE_TYPO}\\) too: .*550.*; check the address and resend with --to\\n$`,
      ),
    );
    const [closed] = await registrationsFor(engine.dura.store.db, GRACE_TYPO_AGAIN);
    assert.equal(closed?.closedReason, 'the registration instructions could not be delivered');

    // By the institution, while its next agreement (an amendment) is in process: the one she asked for.
    const amendment = await dura(...requestArgs(DOMAIN, TOM, '--tier', 'controlled'));
    assert.equal(amendment.status, 0, amendment.stderr);
    assert.notEqual(amendment.stdout.trim(), id);
    const resent = await dura(
      'registration',
      'resend',
      DOMAIN,
      GRACE_TYPO.toUpperCase(),
      '--to',
      GRACE,
      '--json',
    );
    assert.equal(resent.status, 0, resent.stderr);
    const answer = JSON.parse(resent.stdout) as { outcome: string; to: { email: string; name: string } };
    assert.equal(answer.outcome, 'sent');
    assert.deepEqual(answer.to, { name: 'Ada Researcher', email: GRACE });
    assert.equal(instructionsTo(GRACE).length, 1);
  });

  it('status then says where each went, and no longer asks for a resend', async () => {
    const status = await dura('status', id);
    assert.match(
      status.stdout,
      new RegExp(
        `Instructions sent .*\\(not delivered to ${ADA_TYPO}, ${GRACE_TYPO}; resent to ${ADA} \\w{3}, .*; ` +
          `resent to ${GRACE} \\w{3}, [^)]*\\)\n`,
      ),
    );
    assert.doesNotMatch(status.stdout, /sends them again/);
  });

  it('refuses what there is nothing to resend for, and bad input all at once, starting nothing', async () => {
    const delivered = await dura('registration', 'resend', id, TOM);
    assert.equal(delivered.status, 1);
    assert.equal(
      delivered.stderr,
      `dura: ${id}: the registration instructions to ${TOM} were not refused; nothing to resend\n`,
    );
    const stranger = await dura('registration', 'resend', id, `nobody@${DOMAIN}`);
    assert.equal(stranger.status, 1);
    assert.match(
      stranger.stderr,
      new RegExp(`nobody@${DOMAIN} is not a requester of ${id}; its requesters: `),
    );

    const bad = await dura('registration', 'resend', id, 'ada at uw', '--to', 'ada@', '--name', ' ');
    assert.equal(bad.status, 1);
    assert.equal(
      bad.stderr,
      [
        'dura: <requester>: "ada at uw": not an e-mail address',
        'dura: --to: "ada@": not an e-mail address',
        'dura: --name: required when given',
        '',
      ].join('\n'),
    );
    const notYet = await dura(...requestArgs(`later-${DOMAIN}`));
    assert.equal(notYet.status, 0, notYet.stderr);
    const early = await dura('registration', 'resend', `later-${DOMAIN}`, `ada@later-${DOMAIN}`);
    assert.equal(early.status, 1);
    assert.match(
      early.stderr,
      /is awaiting-signature: its registration instructions go out when it is executed, not before\n$/,
    );
    assert.equal(instructionsTo(`ada@later-${DOMAIN}`).length, 0);
  });
});
