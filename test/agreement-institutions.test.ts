// Institutions as the registry has them, over whole lifecycles on the time-skipping server (issue 14):
// an individual agreement, several signing officials, a second agreement of the same institution.
import { strict as assert } from 'node:assert';
import { aRequest, lifecycleHarness, saveHistory } from './helpers/agreements';
import { TEST_DATABASES } from './helpers/engine';
import { executeUpdate, setSigningOfficialUpdate } from '../workflows/messages';

for (const database of TEST_DATABASES)
  describe(`agreements of registered institutions on ${database}`, function () {
    const s = lifecycleHarness(database, { registrationTracking: false }); // registrations: registration.test.ts
    const registry = () => s.engine.dura.store;

    it('an individual agreement lists its address, not the domain; a colleague gets their own', async () => {
      const request = aRequest({ receivedAt: await s.now() });
      const { domain } = request.institution;
      await s.list(domain, request.institution.name, []);
      await registry().setTierRule(domain, 'registered', 'individual');
      const ada = { ...request, requester: { name: 'Ada', email: `ada@${domain}` } };
      const started = await s.request(ada, { registry: registry() });
      assert.equal(started.agreementId, `ada@${domain}-1`);
      const colleague = { ...ada, requester: { name: 'Bo', email: `bo@${domain}` } };
      const other = await s.request(colleague, { registry: registry() });
      assert.equal(other.agreementId, `bo@${domain}-1`, 'an agreement of their own');
      assert.equal(other.outcome, 'started');

      await s.days(3);
      const handle = s.handle(started.agreementId);
      await handle.executeUpdate(executeUpdate, { args: [{ signedOn: (await s.now()).slice(0, 10) }] });
      const final = await handle.result();
      assert.equal(final.stage, 'completed');
      assert.equal(final.kind, 'new');
      assert.equal(final.individual, `ada@${domain}`);
      const listed = await registry().institutionByDomain(domain);
      const registered = listed?.tiers.find((t) => t.tier === 'registered');
      assert.equal(registered?.rule, 'individual');
      assert.deepEqual(
        registered?.addresses.map((a) => [a.email, a.agreementId]),
        [[`ada@${domain}`, `ada@${domain}-1`]],
      );
      assert.equal((await registry().checkCoverage(`bo@${domain}`)).next, 'submit-request');
      assert.equal((await registry().checkCoverage(`ada@${domain}`)).next, 'create-account');
      await saveHistory(s.env, started.agreementId, 'individual-agreement', database);
    });

    it('two officials both get the package and every reminder; a cancel tells both', async () => {
      const request = aRequest({ receivedAt: await s.now() });
      const { agreementId, handle } = await (async () => {
        const r = await s.request(request, { policy: { initiation: 'manual' } });
        return { agreementId: r.agreementId, handle: s.handle(r.agreementId) };
      })();
      const second = { name: 'Pat Provost', email: `provost@${request.institution.domain}` };
      const added = await handle.executeUpdate(setSigningOfficialUpdate, {
        args: [{ ...second, add: true }],
      });
      assert.deepEqual(
        added.signingOfficials?.map((o) => o.email),
        [request.signingOfficial.email, second.email],
      );
      await handle.executeUpdate('initiate', { args: [] });
      await s.days(37);
      const officials = [request.signingOfficial.email, second.email];
      for (const email of officials) {
        const got = s.sent(agreementId).filter((m) => m.endsWith(` -> ${email}`));
        assert.deepEqual(
          got,
          ['initiation-package', 'reminder', 'reminder'].map((k) => `${k} -> ${email}`),
        );
      }
      await handle.executeUpdate('cancel', { args: [{ reason: 'Merged with another institution' }] });
      await handle.result();
      assert.deepEqual(
        s.sent(agreementId, 'closed-notice'),
        officials.map((email) => `closed-notice -> ${email}`),
      );
      await saveHistory(s.env, agreementId, 'two-officials', database);
    });

    it("the institution's officials on the list get the package beside the one the request named", async () => {
      const request = aRequest({ receivedAt: await s.now() });
      const { domain } = request.institution;
      await s.list(domain, request.institution.name, []);
      const listed = { name: 'Lee Listed', email: `lee@${domain}`, title: 'Vice Provost' };
      await registry().addInstitutionOfficial(domain, listed);
      const { agreementId } = await s.request(request, { registry: registry() });
      await s.days(1);
      const status = await s.status(agreementId);
      assert.deepEqual(
        status.signingOfficials?.map((o) => o.email),
        [request.signingOfficial.email, listed.email],
      );
      assert.ok(
        status.history.some((h) => h.event === 'officials-from-registry' && h.detail === listed.email),
      );
      assert.deepEqual(s.sent(agreementId, 'initiation-package'), [
        `initiation-package -> ${request.signingOfficial.email}`,
        `initiation-package -> ${listed.email}`,
      ]);
      assert.match(s.messages(agreementId, 'initiation-package')[1]!.text ?? '', /^Dear Lee Listed,/m);
    });

    it("the institution's second agreement has its own id and knows the first", async () => {
      const request = aRequest({ receivedAt: await s.now() });
      const first = await s.request(request, { registry: registry() });
      await s.handle(first.agreementId).executeUpdate('cancel', { args: [{ reason: 'Asked too early' }] });
      await s.handle(first.agreementId).result();
      const again = await s.request({ ...request, receivedAt: await s.now() }, { registry: registry() });
      assert.equal(again.agreementId, `${request.institution.domain}-2`);
      const status = await s.status(again.agreementId);
      assert.deepEqual(
        status.earlierAgreements?.map((e) => [e.agreementId, e.stage]),
        [[first.agreementId, 'cancelled']],
      );
      await saveHistory(s.env, again.agreementId, 'second-agreement', database);
    });
  });
