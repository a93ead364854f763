// Corrections on an agreement in process: `dura rename-institution` (a mistyped institution name, in its
// status, its records and the next message), a name with a letter lost to an encoding, and an official
// whose package bounced. The CLI as a subprocess, the dev server, a real worker, SQLite, mail to an SMTP
// sink.
import { strict as assert } from 'node:assert';
import { devServerEnv } from './helpers/env';
import { dura as runDura, requestArgs } from './helpers/cli';
import { realEngine } from './helpers/engine';
import { addresses } from './helpers/mail';
import { until } from './helpers/wait';

describe('dura rename-institution', function () {
  const engine = realEngine(devServerEnv, {}, 'sqlite');
  const dura = (...args: string[]) => runDura(args, engine.cliEnv);

  it("corrects the name in the status, the records and the official's next reminder", async () => {
    const args = requestArgs('ulaval.ca');
    args[args.indexOf('--institution-name') + 1] = 'Univeristy Laval';
    const requested = await dura(...args);
    assert.equal(requested.stdout.trim(), 'ulaval.ca-1', requested.stderr);

    const renamed = await dura('rename-institution', 'ulaval.ca-1', '--name', ' Université  Laval ');
    assert.equal(renamed.status, 0, renamed.stderr);
    assert.match(
      renamed.stdout,
      /^ulaval\.ca-1: rename-institution done; "Univeristy Laval" is now "Université Laval"; stage awaiting-signature$/m,
    );
    const shown = JSON.parse((await dura('status', 'ulaval.ca-1', '--json')).stdout) as {
      institution: { name: string; domain: string };
      history: { event: string; detail?: string }[];
    };
    assert.deepEqual(shown.institution, { name: 'Université Laval', domain: 'ulaval.ca' });
    assert.ok(
      shown.history.some(
        (h) => h.event === 'institution-renamed' && h.detail === 'Univeristy Laval → Université Laval',
      ),
    );
    // The records (what the status page, the digest and a closed agreement's status read).
    await until(
      async () =>
        (await engine.dura.store.agreementStatus('ulaval.ca-1'))?.institution.name === 'Université Laval',
    );

    const reminded = await dura('remind-now', 'ulaval.ca-1', '--force');
    assert.equal(reminded.status, 0, reminded.stderr);
    const toOfficial = () =>
      engine.smtp.arrived.filter(({ mail }) => addresses(mail.to).includes('osp@ulaval.ca'));
    await until(() => toOfficial().length === 2); // the package, then the reminder
    const [pkg, reminder] = toOfficial().map(({ mail }) => `${mail.subject}\n${mail.text}`);
    assert.match(pkg!, /Univeristy Laval/); // sent before the correction
    assert.match(reminder!, /Université Laval/);
    assert.doesNotMatch(reminder!, /Univeristy/);
  });

  it('says when the name is the same, refuses a blank one and an agreement that ended', async () => {
    await dura(...requestArgs('ulb.be'));
    const same = await dura('rename-institution', 'ulb.be-1', '--name', 'University of  ulb.be');
    assert.deepEqual(
      [same.status, same.stdout],
      [
        0,
        'ulb.be-1: the institution is named University of ulb.be already; nothing changed (stage awaiting-signature)\n',
      ],
    );
    const blank = await dura('rename-institution', 'ulb.be-1', '--name', '  ');
    assert.deepEqual([blank.status, blank.stderr.trim()], [1, 'dura: --name: required']);

    assert.equal((await dura('cancel', 'ulb.be-1', '--reason', 'asked twice')).status, 0);
    const ended = await dura('rename-institution', 'ulb.be-1', '--name', 'Université libre de Bruxelles');
    assert.equal(ended.status, 1);
    assert.match(
      ended.stderr,
      /^dura: ulb\.be-1 is cancelled .*rename-institution applies to an agreement in process$/m,
    );
  });

  it('a name typed with a letter lost to an encoding is taken, with a warning naming --name', async () => {
    await dura(...requestArgs('pw.edu.pl'));
    const renamed = await dura('rename-institution', 'pw.edu.pl-1', '--name', 'Politechnika Warszawska ?ód?');
    assert.equal(renamed.status, 0, renamed.stderr);
    assert.match(
      renamed.stderr,
      /^dura: warning: --name: "Politechnika Warszawska \?ód\?" has a "\?" where a letter or sign may have been lost .*: accepted as typed$/m,
    );
    const official = await dura(
      'set-official',
      'pw.edu.pl-1',
      '--add',
      '--name',
      '?ukasz Nowak',
      '--email',
      'ln@pw.edu.pl',
    );
    assert.equal(official.status, 0, official.stderr);
    assert.match(official.stderr, /^dura: warning: --name: "\?ukasz Nowak" has a "\?"/m);
    const requester = await dura(
      'add-requester',
      'pw.edu.pl-1',
      '--name',
      'Zofia Kowalska',
      '--email',
      'zk@pw.edu.pl',
    );
    assert.equal(requester.status, 0, requester.stderr);
    assert.doesNotMatch(requester.stderr, /warning/);
  });

  it('a bounced package: the team is told to correct the official and initiate, and set-official says so', async () => {
    engine.smtp.refuse.set('osp@bounce.edu', 550);
    assert.equal((await dura(...requestArgs('bounce.edu'))).status, 0);
    const escalation = () =>
      engine.smtp.arrived.find(({ mail }) =>
        /Needs attention: University of bounce\.edu/.test(mail.subject ?? ''),
      );
    await until(() => escalation() !== undefined);
    assert.match(
      escalation()!.mail.text ?? '',
      /What to do: correct the official's address \(dura set-official bounce\.edu-1 .*\), then send the package again: dura initiate bounce\.edu-1\./,
    );
    const fixed = await dura(
      'set-official',
      'bounce.edu-1',
      '--name',
      'Real Signer',
      '--email',
      'real.osp@bounce.edu',
    );
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.match(
      fixed.stderr,
      /^dura: no package has gone to an official yet: send it with `dura initiate bounce\.edu-1`$/m,
    );
    assert.equal((await dura('initiate', 'bounce.edu-1')).status, 0);
    await until(() =>
      engine.smtp.arrived.some(({ mail }) => addresses(mail.to).includes('real.osp@bounce.edu')),
    );
  });

  it("a typo's twin cancelled: the official's closed notice names the agreement that stays open", async () => {
    assert.equal((await dura(...requestArgs('twin.edu'))).status, 0);
    const typo = requestArgs('twim.edu').map((a) => (a === 'osp@twim.edu' ? 'osp@twin.edu' : a));
    assert.equal((await dura(...typo)).status, 0);
    const packages = () =>
      engine.smtp.arrived.filter(
        ({ mail }) => addresses(mail.to).includes('osp@twin.edu') && /^Data Use/.test(mail.subject ?? ''),
      );
    await until(() => packages().length === 2);
    await until(async () => (await engine.dura.store.awaitingSignatureFrom('osp@twin.edu')).length === 2);
    assert.equal((await dura('cancel', 'twim.edu-1', '--reason', 'typo in the domain')).status, 0);
    const closed = () =>
      engine.smtp.arrived.find(
        ({ mail }) =>
          mail.subject === 'Closed: the All of Us DURA for University of twim.edu (ref. twim.edu-1)',
      );
    await until(() => closed() !== undefined);
    assert.match(
      closed()!.mail.text ?? '',
      /This is not about the agreement twin\.edu-1, which stays open and awaits your signature\./,
    );
  });
});
