// An address names the agreement that person asked for (docs/cli.md): status and the controls reach
// their agreement, never a colleague's in process at the same institution (a trial paused another
// requester's amendment by an address). The CLI as a subprocess, the dev server, a real worker, SQLite.
import { strict as assert } from 'node:assert';
import type { AgreementStatus } from '../common/agreement';
import { newYorkDate } from '../common/when';
import { devServerEnv } from './helpers/env';
import { dura as runDura, requestArgs } from './helpers/cli';
import { realEngine } from './helpers/engine';
import { addresses } from './helpers/mail';
import { until } from './helpers/wait';

const today = () => new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });

describe('dura CLI: an address names the agreement its person asked for', function () {
  const engine = realEngine(devServerEnv, {}, 'sqlite');
  const dura = (...args: string[]) => runDura(args, engine.cliEnv);
  const status = async (typed: string) => {
    const shown = await dura('status', typed, '--json');
    assert.equal(shown.status, 0, shown.stderr);
    return JSON.parse(shown.stdout) as {
      agreementId: string;
      stage: string;
      remindersPausedUntil: string | null;
    };
  };

  it("status and pause-reminders by José's address reach his completed agreement, not Émile's amendment", async () => {
    const first = await dura(...requestArgs('addr.edu', 'jose@addr.edu'));
    assert.equal(first.stdout.trim(), 'addr.edu-1', first.stderr);
    assert.equal((await dura('execute', 'addr.edu-1', '--on', today())).status, 0);
    await until(async () => (await status('addr.edu-1')).stage === 'completed');
    const second = await dura(...requestArgs('addr.edu', 'emile@addr.edu', '--tier', 'controlled'));
    assert.equal(second.stdout.trim(), 'addr.edu-2', second.stderr);
    await until(async () => (await status('addr.edu-2')).stage === 'awaiting-signature');

    assert.equal((await status('jose@addr.edu')).agreementId, 'addr.edu-1');
    assert.equal((await status('emile@addr.edu')).agreementId, 'addr.edu-2');
    // An address that asked for nothing: its institution's agreement in process, as before.
    assert.equal((await status('dean@addr.edu')).agreementId, 'addr.edu-2');

    const until14 = new Date(Date.now() + 14 * 86_400_000).toLocaleDateString('en-CA', {
      timeZone: 'America/New_York',
    });
    const refused = await dura('pause-reminders', 'JOSE@addr.edu', '--until', until14);
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(refused.stderr, /addr\.edu-1.* completed/);
    // How the date was read is said once a pause is taken, not before a refusal (a trial read it as taken).
    assert.doesNotMatch(refused.stderr, /read as/);
    assert.equal((await status('addr.edu-2')).remindersPausedUntil, null, "Émile's agreement untouched");

    const paused = await dura('pause-reminders', 'emile@addr.edu', '--until', until14);
    assert.equal(paused.status, 0, paused.stderr);
    assert.match(paused.stdout, /^addr\.edu-2: pause-reminders done/);
    assert.match(paused.stderr, /^dura: --until \S+ read as .*: the pause ends /);
    assert.notEqual((await status('addr.edu-2')).remindersPausedUntil, null);

    // Typed as a mail client gives it, or garbled: read as `request` reads it, or refused, never its domain's.
    assert.equal((await status('jose@addr.edu.')).agreementId, 'addr.edu-1');
    assert.equal((await status('mailto:jose@addr.edu')).agreementId, 'addr.edu-1');
    const garbled = await dura('set-cadence', 'jose@@addr.edu', '--days', '30');
    assert.deepEqual([garbled.status, garbled.stderr], [1, 'dura: jose@@addr.edu: not an e-mail address\n']);
    // A requester of two agreements in process: name one.
    const both = await dura(...requestArgs('other.edu', 'emile@addr.edu'));
    assert.equal(both.status, 0, both.stderr);
    const which = await dura('pause-reminders', 'emile@addr.edu', '--until', until14);
    assert.equal(which.status, 1);
    assert.match(
      which.stderr,
      /emile@addr\.edu asked for 2 agreements in process \((addr\.edu-2, other\.edu-1|other\.edu-1, addr\.edu-2)\): name one by its id/,
    );
  });

  it('an individual agreement keeps its one requester: add-requester and remove-requester refuse', async () => {
    const { store } = engine.dura;
    await store.importInstitutions([{ domain: 'pine.edu', name: 'Pine College', tiers: ['registered'] }]);
    await store.setTierRule('pine.edu', 'controlled', 'individual');
    const started = await dura(...requestArgs('pine.edu', 'tpyo@pine.edu', '--tier', 'controlled'));
    assert.equal(started.stdout.trim(), 'tpyo@pine.edu-1', started.stderr);
    const person = ['--name', 'Ty Po', '--email', 'typo@pine.edu'];
    const added = await dura('add-requester', 'tpyo@pine.edu-1', ...person);
    assert.deepEqual(
      [
        added.status,
        /tpyo@pine\.edu-1 is tpyo@pine\.edu's individual agreement; another researcher needs one of their own/.test(
          added.stderr,
        ),
      ],
      [1, true],
      added.stderr,
    );
    const removed = await dura('remove-requester', 'tpyo@pine.edu-1', '--email', 'tpyo@pine.edu');
    assert.equal(removed.status, 1);
    assert.match(removed.stderr, /individual agreement; for a mistyped address, cancel it and request again/);
  });

  it('a request whose official is at another domain, or at no top-level domain, is started with a warning', async () => {
    const typed = requestArgs('kent.edu', 'kay@kent.edu').map((a) =>
      a === 'osp@kent.edu' ? 'olga@kent.eud' : a,
    );
    const started = await dura(...typed);
    assert.equal(started.status, 0, started.stderr);
    assert.equal(started.stdout.trim(), 'kent.edu-1');
    assert.match(
      started.stderr,
      /^dura: warning: --official-email: olga@kent\.eud: \.eud is no top-level domain \(mistyped\?\); mail to it will not arrive$/m,
    );
    assert.match(
      started.stderr,
      /^dura: warning: --official-email: olga@kent\.eud is not at kent\.edu: check it \(dura set-official corrects an agreement's official\)$/m,
    );
    // An office's own subdomain is the institution's.
    const office = requestArgs('lake.edu', 'lin@lake.edu').map((a) =>
      a === 'osp@lake.edu' ? 'osp@research.lake.edu' : a,
    );
    const quiet = await dura(...office);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /signingOfficial/);
    // The requester named as the official too: warned of (a researcher filling in their own address).
    const self = requestArgs('self.edu', 'sue@self.edu').map((a) =>
      a === 'osp@self.edu' ? 'Sue@self.edu' : a,
    );
    const selfNamed = await dura(...self);
    assert.equal(selfNamed.status, 0, selfNamed.stderr);
    assert.match(
      selfNamed.stderr,
      /^dura: warning: --official-email: sue@self\.edu is the requester's own address: the package should go to the person who signs for the institution \(dura set-official corrects it\)$/m,
    );
    // The domain itself at no top-level domain: warned of (the form refuses it); the institution's
    // right domain typed next is told the mistyped one is the agreement to cancel, not the reverse.
    const typo = await dura(...requestArgs('mist.eud', 'mo@mist.eud'));
    assert.equal(typo.status, 0, typo.stderr);
    assert.match(
      typo.stderr,
      /^dura: warning: --domain: mist\.eud: \.eud is no top-level domain \(mistyped\?\)/m,
    );
    const right = await dura(
      ...requestArgs('mist.edu', 'mo@mist.edu').map((a) => (a === 'osp@mist.edu' ? 'osp@mist.eud' : a)),
    );
    assert.equal(right.status, 0, right.stderr);
    assert.match(
      right.stderr,
      /^dura: warning: --domain: mist\.eud-1 is in process for University of mist\.eud under mist\.eud \(the same signing official\), at no top-level domain \(\.eud\): if that was mistyped for mist\.edu, cancel mist\.eud-1$/m,
    );
  });

  it('a requester of the agreement that listed the institution, requesting again, is told nothing new', async () => {
    const to = (email: string) =>
      engine.smtp.arrived.filter(({ mail }) => addresses(mail.to).includes(email)).length;
    assert.equal((await dura(...requestArgs('again.edu', 'ada@again.edu'))).stdout.trim(), 'again.edu-1');
    const joined = await dura(...requestArgs('again.edu', 'alan@again.edu'));
    assert.equal(joined.status, 0, joined.stderr);
    assert.equal((await dura('execute', 'again.edu-1', '--on', today())).status, 0);
    await until(async () => (await status('again.edu-1')).stage === 'completed');
    await until(async () => to('alan@again.edu') >= 3); // received, executed, instructions
    const before = to('alan@again.edu');
    // A file imported again after the signature (a trial's): Alan's row is his agreement's, no new mail.
    const again = await dura(...requestArgs('again.edu', 'alan@again.edu'));
    assert.deepEqual([again.status, again.stdout.trim()], [0, 'again.edu-1'], again.stderr);
    assert.match(again.stderr, /^already-requested \(completed\)/m);
    // A colleague who asked for nothing is told how to register, as before.
    const colleague = await dura(...requestArgs('again.edu', 'grace@again.edu'));
    assert.match(colleague.stderr, /^not-needed/m);
    await until(() => to('grace@again.edu') === 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(to('alan@again.edu'), before, 'no new mail to Alan');
  });

  it("add-requester with an address the agreement has corrects that requester's name", async () => {
    assert.equal((await dura(...requestArgs('laval.ca', 'zoe@laval.ca'))).stdout.trim(), 'laval.ca-1');
    const garbled = await dura(
      'add-requester',
      'laval.ca-1',
      '--name',
      'ZoÃ© Roy',
      '--email',
      'zoe@laval.ca',
    );
    assert.equal(garbled.status, 0, garbled.stderr);
    const fixed = await dura('add-requester', 'laval.ca-1', '--name', 'Zoé Roy', '--email', 'ZOE@laval.ca');
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.match(fixed.stderr, /^dura: zoe@laval\.ca is a requester named ZoÃ© Roy: renaming to Zoé Roy$/m);
    assert.match(fixed.stdout, /^laval\.ca-1: add-requester done; stage /);
    const shown = await dura('status', 'laval.ca-1', '--json');
    const s = JSON.parse(shown.stdout) as {
      requesters: { name: string; email: string }[];
      history: { event: string; detail?: string }[];
    };
    assert.deepEqual(s.requesters, [{ name: 'Zoé Roy', email: 'zoe@laval.ca' }]);
    // The records too (what status shows once the agreement is closed, and the digest).
    await until(
      async () => (await engine.dura.store.agreementStatus('laval.ca-1'))?.requesters[0]?.name === 'Zoé Roy',
    );
    assert.ok(
      s.history.some(
        (h) => h.event === 'requester-renamed' && h.detail === 'zoe@laval.ca: ZoÃ© Roy → Zoé Roy',
      ),
    );
    // Spaces aside, the same name (a second trial's "Robert  Beta " was taken for another).
    const same = await dura('add-requester', 'laval.ca-1', '--name', ' Zoé  Roy ', '--email', 'zoe@laval.ca');
    assert.deepEqual(
      [same.status, same.stdout],
      [0, 'laval.ca-1: zoe@laval.ca is already a requester; nothing changed (stage awaiting-signature)\n'],
    );
  });

  it('a domain typed for another whose agreement is in process (its name or official) is started with a warning', async () => {
    assert.equal((await dura(...requestArgs('eps.edu', 'ed@eps.edu'))).stdout.trim(), 'eps.edu-1');
    const typo = ['--institution-name', 'University of eps.edu', '--domain', 'epsu.edu'];
    const twin = await dura(
      'request',
      ...typo,
      ...['--requester-name', 'Ed', '--requester-email', 'ed@epsu.edu', '--official-name', 'Sam Signer'],
      ...['--official-email', 'osp@eps.edu', '--tier', 'registered'],
    );
    assert.equal(twin.status, 0, twin.stderr);
    assert.match(
      twin.stderr,
      /^dura: warning: --domain: eps\.edu-1 is in process for University of eps\.edu under eps\.edu \(the same institution name\): if epsu\.edu is mistyped, cancel the agreement this starts and request under eps\.edu$/m,
    );
    // Another name and official, but both addresses at eps.edu (a trial's "Kent College" under kentu.edu).
    const byAddresses = await dura(
      'request',
      ...['--institution-name', 'Eps College', '--domain', 'epsc.edu'],
      ...['--requester-name', 'Flo', '--requester-email', 'flo@eps.edu', '--official-name', 'Dee Dean'],
      ...['--official-email', 'dean@eps.edu', '--tier', 'registered'],
    );
    assert.match(
      byAddresses.stderr,
      /^dura: warning: --domain: eps\.edu-1 is in process for University of eps\.edu under eps\.edu \(the requester's and the official's addresses at its domain\): if epsc\.edu is mistyped, cancel the agreement this starts and request under eps\.edu$/m,
    );
    // Another institution, another official: no such word; and a join to the domain's own agreement neither.
    assert.doesNotMatch((await dura(...requestArgs('zeta.edu', 'zed@zeta.edu'))).stderr, /is in process for/);
    assert.doesNotMatch((await dura(...requestArgs('eps.edu', 'eve@eps.edu'))).stderr, /is in process for/);
  });

  it('a name with a letter lost to an encoding (?ukasz) is warned of; the corrected name on a repeat is told, with the command', async () => {
    const garbled = requestArgs('lodz.edu', 'ola@lodz.edu').map((a) =>
      a === 'Sam Signer' ? '?ukasz Nowak' : a,
    );
    const first = await dura(...garbled);
    assert.equal(first.status, 0, first.stderr);
    assert.match(
      first.stderr,
      /^dura: warning: --official-name: "\?ukasz Nowak" has a "\?" where a letter or sign may have been lost .*: accepted as typed; to correct it: dura set-official <agreement> --add --name "<the name>" --email osp@lodz\.edu$/m,
    );
    // A question mark apart from letters is no lost letter.
    const asked = requestArgs('ask.edu', 'ana@ask.edu').map((a) => (a === 'Sam Signer' ? 'Sam Signer ?' : a));
    assert.doesNotMatch((await dura(...asked)).stderr, /letter may have been lost/);
    // The same request again from a corrected file: nothing new, and the name it keeps is said.
    const again = await dura(
      ...requestArgs('lodz.edu', 'ola@lodz.edu').map((a) => (a === 'Sam Signer' ? 'Łukasz Nowak' : a)),
    );
    assert.equal(again.status, 0, again.stderr);
    assert.match(
      again.stderr,
      /^dura: warning: this request names the signing official osp@lodz\.edu "Łukasz Nowak"; lodz\.edu-1 keeps "\?ukasz Nowak" \(to take this name: dura set-official lodz\.edu-1 --name "Łukasz Nowak" --email osp@lodz\.edu\)$/m,
    );
    const fixed = await dura(
      'set-official',
      'lodz.edu-1',
      '--name',
      'Łukasz Nowak',
      '--email',
      'osp@lodz.edu',
    );
    assert.equal(fixed.status, 0, fixed.stderr);
    const status = JSON.parse((await dura('status', 'lodz.edu-1', '--json')).stdout) as AgreementStatus;
    assert.equal(status.signingOfficial.name, 'Łukasz Nowak');
  });

  it('a receipt more than 60 days ago (a year typo) is started with a warning; a recent one is not', async () => {
    const yearAgo = newYorkDate(Date.now() - 366 * 86_400_000);
    const typo = await dura(...requestArgs('mesa.edu', 'mo@mesa.edu'), '--received-at', yearAgo);
    assert.equal(typo.status, 0, typo.stderr);
    assert.match(
      typo.stderr,
      new RegExp(
        `^dura: warning: --received-at: ${yearAgo} \\(.+\\) was 36[56] days ago: if the year is mistyped`,
        'm',
      ),
    );
    const lastWeek = newYorkDate(Date.now() - 7 * 86_400_000);
    const recent = await dura(...requestArgs('dune.edu', 'di@dune.edu'), '--received-at', lastWeek);
    assert.equal(recent.status, 0, recent.stderr);
    assert.doesNotMatch(recent.stderr, /warning/);
  });

  it("a personal provider's domain is no institution's: request refuses it, naming the flag", async () => {
    const typed = requestArgs('gmail.com', 'ada@gmail.com');
    const refused = await dura(...typed);
    assert.deepEqual([refused.status, refused.stdout], [1, '']);
    assert.match(
      refused.stderr,
      /^dura: --domain: gmail\.com is a personal e-mail provider's, not an institution's: name the institution's own domain \(the requester may still write from gmail\.com\)$/m,
    );
    // With the request's other problems, all at once (a trial fixed three, then met gmail.com).
    const all = await dura(...requestArgs('gmail.com', 'test@').map((a) => (a === 'Sam Signer' ? '' : a)));
    assert.equal(all.status, 1);
    for (const line of [
      /^dura: --requester-email: /m,
      /^dura: --official-name: /m,
      /^dura: --domain: gmail\.com is a personal/m,
    ])
      assert.match(all.stderr, line);
    // Beyond the most common ones (a second trial's googlemail.com and hotmail.co.uk started agreements).
    for (const domain of ['googlemail.com', 'hotmail.co.uk'])
      assert.equal((await dura(...requestArgs(domain, `ada@${domain}`))).status, 1, domain);
    // From another domain, a requester at gmail.com is accepted with a warning, as before.
    const outside = await dura(...requestArgs('far.edu', 'ada@gmail.com'));
    assert.equal(outside.status, 0, outside.stderr);
  });

  it('remove-requester takes a mistyped address off; the only requester and a stranger are refused', async () => {
    assert.equal((await dura(...requestArgs('typo.edu', 'marie@typo.edu'))).status, 0);
    const add = (email: string) => dura('add-requester', 'typo.edu', '--name', 'Marie T', '--email', email);
    assert.equal((await add('marie@tpyo.edu')).status, 0);
    // An address at no top-level domain is taken, as request takes it, with a warning (a trial's yan@uw.ed).
    const nowhere = await add('marie@typo.ed');
    assert.equal(nowhere.status, 0, nowhere.stderr);
    assert.match(
      nowhere.stderr,
      /^dura: warning: --email: marie@typo\.ed: \.ed is no top-level domain \(mistyped\?\); mail to it will not arrive$/m,
    );
    assert.equal((await dura('remove-requester', 'typo.edu', '--email', 'marie@typo.ed')).status, 0);
    const only = await dura('remove-requester', 'typo.edu', '--email', 'nobody@typo.edu');
    assert.equal(only.status, 1);
    assert.match(
      only.stderr,
      /nobody@typo\.edu is not one of its requesters \(marie@typo\.edu, marie@tpyo\.edu\)/,
    );
    const removed = await dura('remove-requester', 'typo.edu', '--email', 'Marie@TPYO.edu');
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(
      removed.stdout,
      /^typo\.edu-1: remove-requester done; stage awaiting-(initiation|signature)/,
    );
    const after = JSON.parse((await dura('status', 'typo.edu', '--json')).stdout);
    assert.deepEqual(
      after.requesters.map((r: { email: string }) => r.email),
      ['marie@typo.edu'],
    );
    assert.ok(
      after.history.some(
        (h: { event: string; detail?: string }) =>
          h.event === 'requester-removed' && h.detail === 'marie@tpyo.edu',
      ),
    );
    const last = await dura('remove-requester', 'typo.edu', '--email', 'marie@typo.edu');
    assert.equal(last.status, 1);
    assert.match(last.stderr, /marie@typo\.edu is its only requester; add the right address first/);
    const garbled = await dura('remove-requester', 'typo.edu', '--email', 'marie@');
    assert.deepEqual(
      [garbled.status, garbled.stderr],
      [1, 'dura: --email: "marie@": not an e-mail address\n'],
    );
    // Executed: the instructions go to the requester left, not to the address taken off.
    assert.equal((await dura('execute', 'typo.edu', '--on', today())).status, 0);
    await until(
      async () => JSON.parse((await dura('status', 'typo.edu-1', '--json')).stdout).stage === 'completed',
    );
    const instructed = engine.smtp.arrived
      .filter(({ mail }) => mail.headers.get('x-dura-kind') === 'registration-instructions')
      .flatMap(({ mail }) => addresses(mail.to));
    assert.ok(instructed.includes('marie@typo.edu'), `${instructed}`);
    assert.ok(!instructed.includes('marie@tpyo.edu'), `${instructed}`);
  });
});
