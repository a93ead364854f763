// The registry (migration 002_registry, activities/records/registry*.ts, checkCoverage) on a real
// records database: SQLite and a throwaway PostgreSQL. The database starts as 001 left it, with rows.
import { strict as assert } from 'node:assert';
import type { Kysely } from 'kysely';
import * as sinon from 'sinon';
import { checkCoverage } from '../activities/records/coverage';
import { openDatabase } from '../activities/records/db';
import { publicInstitutions } from '../activities/records/public-list';
import { migrateTo, migrateToLatest, MIGRATION_NAMES } from '../activities/records/migrations';
import type { Database } from '../activities/records/schema';
import { RecordsStore } from '../activities/records/store';
import { TEST_DATABASES } from './helpers/engine';
import { throwawayDatabase } from './helpers/postgres';
import { domainsTier } from './helpers/registry';
import { sampleAgreement } from './helpers/samples';

for (const dialect of TEST_DATABASES) {
  describe(`the registry on ${dialect}`, function () {
    let cleanup: () => Promise<void> = () => Promise.resolve();
    let db: Kysely<Database>;
    let store: RecordsStore;

    before(async function () {
      this.timeout(120_000);
      const database = await throwawayDatabase(dialect, 'registry');
      cleanup = database.cleanup;
      db = openDatabase(database.url);
      store = new RecordsStore(db);
      // The database as release 001 left it, with an institution, an agreement and an e-mail.
      assert.deepEqual(await migrateTo(db, '001_initial'), { applied: ['001_initial'] });
      await db
        .insertInto('institutions')
        .values({
          domain: 'uw.edu',
          name: 'University of Washington',
          updated_at: '2025-01-01T00:00:00.000Z',
        })
        .execute();
      await db
        .insertInto('institution_tiers')
        .values([
          { domain: 'uw.edu', tier: 'registered', listed_on: '2025-03-31', agreement_id: 'dura-uw.edu' },
          { domain: 'uw.edu', tier: 'controlled', listed_on: '2025-06-02', agreement_id: null },
        ])
        .execute();
      await store.recordEvents({
        agreementRef: 'dura-uw.edu/run-1',
        firstSeq: 0,
        events: [{ at: '2025-03-03T14:00:00.000Z', event: 'requested', detail: 'ada@uw.edu' }],
        status: sampleAgreement({
          agreementId: 'dura-uw.edu',
          institution: { name: 'UW', domain: 'uw.edu' },
        }),
      });
      await store.begin(
        {
          idempotencyKey: 'dura-uw.edu/run-1/reminder/1',
          messageId: '<r1@dura>',
          kind: 'reminder',
          agreementId: 'dura-uw.edu',
          recipients: ['osp@uw.edu'],
        },
        new Date('2025-03-17T13:00:00Z'),
      );
    });

    after(async () => {
      await store?.close();
      await cleanup();
    });

    it('migrates a database at 001 to 002 in place, keeping its rows', async () => {
      assert.deepEqual(await migrateToLatest(db), { applied: MIGRATION_NAMES.slice(1) });
      assert.deepEqual(await db.selectFrom('institution_domains').selectAll().execute(), [
        { domain: 'uw.edu', institution: 'uw.edu' },
      ]);
      assert.deepEqual(await store.lookupInstitution('uw.edu'), {
        name: 'University of Washington',
        domain: 'uw.edu',
        tiers: ['registered', 'controlled'],
      });
      const profile = await store.institutionByDomain('UW.EDU');
      assert.deepEqual(profile, {
        id: 'uw.edu',
        name: 'University of Washington',
        domains: ['uw.edu'],
        tiers: [
          domainsTier('registered', '2025-03-31', 'dura-uw.edu'),
          domainsTier('controlled', '2025-06-02'),
        ],
        officials: [],
        contractingContact: null,
        reportContact: null,
      });
      assert.equal((await store.agreementStatus('dura-uw.edu'))?.history.length, 1);
      assert.equal((await store.emails({ agreementId: 'dura-uw.edu' })).length, 1);
    });

    it("lists an institution on New York's date: an import at 7:38 PM ET is that day's, not UTC's next", async () => {
      const clock = sinon.useFakeTimers({ now: Date.parse('2026-12-02T00:38:00Z'), toFake: ['Date'] });
      try {
        await store.importInstitutions([
          { name: 'Evening College', domain: 'evening.edu', tiers: ['registered'] },
        ]);
        await store.setTierRule('evening.edu', 'registered', 'individual');
        await store.addInstitutionAddress('evening.edu', 'registered', 'ann@evening.edu');
      } finally {
        clock.restore();
      }
      const [tier] = (await store.institutionByDomain('evening.edu'))!.tiers;
      assert.deepEqual(
        [tier!.listedOn, tier!.addresses.map((a) => a.listedOn)],
        ['2026-12-01', ['2026-12-01']],
      );
    });

    it('adds domains (one institution each), finds the institution by any of them, removes them', async () => {
      assert.deepEqual(await store.addInstitutionDomain('uw.edu', 'Washington.EDU'), {
        institution: 'uw.edu',
        changed: true,
      });
      assert.deepEqual(await store.addInstitutionDomain('washington.edu', 'washington.edu'), {
        institution: 'uw.edu',
        changed: false,
      });
      assert.equal((await store.institutionByDomain('washington.edu'))?.id, 'uw.edu');
      assert.deepEqual((await store.institutionByDomain('uw.edu'))?.domains, ['uw.edu', 'washington.edu']);
      assert.equal(await store.institutionByDomain('med.uw.edu'), null); // exact domains only

      await store.importInstitutions([
        { name: 'Oregon State', domain: 'oregonstate.edu', tiers: ['registered'] },
      ]);
      assert.equal((await store.institutionByDomain('oregonstate.edu'))?.id, 'oregonstate.edu'); // its own row
      await assert.rejects(
        store.addInstitutionDomain('oregonstate.edu', 'WASHINGTON.edu'),
        /^RegistryError: WASHINGTON\.edu: already a domain of uw\.edu; a domain belongs to one institution only$/,
      );
      await assert.rejects(
        store.addInstitutionDomain('uw.edu', 'oregonstate.edu'),
        /already a domain of oregonstate\.edu/,
      );
      await assert.rejects(
        store.addInstitutionDomain('nowhere.edu', 'x.edu'),
        /^RegistryError: nowhere\.edu: no institution/,
      );
      await assert.rejects(
        store.addInstitutionDomain('uw.edu', 'not a domain'),
        /not a domain: not an e-mail domain/,
      );
      // Listed, these would cover everyone at them (a trial's `add-domain uw.edu gmail.com`).
      await assert.rejects(
        store.addInstitutionDomain('uw.edu', 'GMail.com'),
        /^RegistryError: gmail\.com is a personal e-mail provider's: listed, it would cover everyone who writes from it$/,
      );
      await assert.rejects(
        store.addInstitutionDomain('uw.edu', 'googlemail.com'), // on the whole list, not the common one
        /^RegistryError: googlemail\.com is a personal e-mail provider's/,
      );
      await assert.rejects(
        store.addInstitutionDomain('uw.edu', 'ac.uk'),
        /^RegistryError: ac\.uk is a public suffix, under which many institutions have their domains: list each institution's own$/,
      );
      await assert.rejects(
        store.removeInstitutionDomain('uw.edu', 'uw.edu'),
        /primary domain \(the id\) of uw\.edu/,
      );
      await assert.rejects(
        store.removeInstitutionDomain('uw.edu', 'oregonstate.edu'),
        /a domain of oregonstate\.edu, not of uw\.edu/,
      );

      await store.addInstitutionDomain('uw.edu', 'u.washington.edu');
      assert.deepEqual(await store.removeInstitutionDomain('uw.edu', 'u.washington.edu'), {
        institution: 'uw.edu',
        changed: true,
      });
      assert.equal((await store.removeInstitutionDomain('uw.edu', 'u.washington.edu')).changed, false);
    });

    it('an agreement or import at a secondary domain lists the institution it belongs to; lookup finds it', async () => {
      await store.updateRegistry({
        institution: { name: 'UW (as typed by a requester)', domain: 'washington.edu' },
        tiers: ['registered'],
        signedOn: '2026-01-05',
        agreementId: 'dura-washington.edu',
      });
      assert.equal(await store.lookupInstitution('washington.edu'), null); // no second institution
      assert.equal((await store.institutionByDomain('uw.edu'))?.name, 'University of Washington');
      assert.deepEqual(
        (await store.findInstitutions('washington.edu')).map((i) => i.domain),
        ['uw.edu'],
      );
    });

    it("an executed agreement for the institution's domains makes an individual tier a domains one", async () => {
      await store.importInstitutions([
        { domain: 'rule.edu', name: 'Rule University', tiers: ['registered'] },
      ]);
      await store.setTierRule('rule.edu', 'controlled', 'individual');
      await store.updateRegistry({
        institution: { name: 'Rule University', domain: 'rule.edu' },
        tiers: ['controlled'],
        signedOn: '2026-02-02',
        agreementId: 'rule.edu-2',
      });
      const controlled = (await store.institutionByDomain('rule.edu'))?.tiers.find(
        (t) => t.tier === 'controlled',
      );
      assert.equal(controlled?.rule, 'domains');
      assert.equal((await checkCoverage(store, 'ada@rule.edu', ['controlled'])).next, 'create-account');
    });

    it('sets a tier rule and lists individual addresses, at its domains only', async () => {
      await assert.rejects(
        store.addInstitutionAddress('oregonstate.edu', 'controlled', 'ada@oregonstate.edu'),
        /oregonstate\.edu is not listed for the controlled tier: set its rule to individual first/,
      );
      await assert.rejects(
        store.setTierRule('oregonstate.edu', 'controlled', 'domains'),
        /not listed for the controlled tier: an executed agreement or `institutions import` lists it/,
      );
      assert.deepEqual(await store.setTierRule('oregonstate.edu', 'controlled', 'individual', '2026-02-02'), {
        institution: 'oregonstate.edu',
        changed: true,
      });
      assert.equal((await store.setTierRule('oregonstate.edu', 'controlled', 'individual')).changed, false);
      await assert.rejects(
        store.setTierRule('oregonstate.edu', 'gold', 'domains'),
        /^RegistryError: gold: not a tier/,
      );
      await assert.rejects(
        store.setTierRule('oregonstate.edu', 'controlled', 'all'),
        /all: not a membership rule/,
      );

      const listing = { listedOn: '2026-02-03', agreementId: 'dura-oregonstate.edu-2' };
      assert.equal(
        (await store.addInstitutionAddress('oregonstate.edu', 'controlled', 'Ada@OregonState.edu', listing))
          .changed,
        true,
      );
      assert.equal(
        (await store.addInstitutionAddress('oregonstate.edu', 'controlled', 'ada@oregonstate.edu')).changed,
        false,
      );
      await assert.rejects(
        store.addInstitutionAddress('oregonstate.edu', 'controlled', 'ada@gmail.com'),
        /ada@gmail\.com: gmail\.com is not a domain of oregonstate\.edu/,
      );
      await assert.rejects(
        store.addInstitutionAddress('oregonstate.edu', 'controlled', 'ada'),
        /^RegistryError: ada: not an e-mail address$/,
      );
      await store.addInstitutionAddress('oregonstate.edu', 'controlled', 'bob@oregonstate.edu');
      assert.equal(
        (await store.removeInstitutionAddress('oregonstate.edu', 'controlled', 'BOB@oregonstate.edu'))
          .changed,
        true,
      );
      const tiers = (await store.institutionByDomain('oregonstate.edu'))?.tiers;
      assert.deepEqual(tiers?.[1], {
        tier: 'controlled',
        rule: 'individual',
        listedOn: '2026-02-02',
        agreementId: null,
        addresses: [
          { email: 'ada@oregonstate.edu', listedOn: '2026-02-03', agreementId: 'dura-oregonstate.edu-2' },
        ],
      });
      assert.equal(tiers?.[0]?.rule, 'domains');
    });

    it('records signing officials and the contracting contact', async () => {
      assert.equal(
        (await store.addInstitutionOfficial('uw.edu', { name: ' Sam Signer ', email: 'OSP@uw.edu' })).changed,
        true,
      );
      assert.equal(
        (await store.addInstitutionOfficial('uw.edu', { name: 'Sam Signer', email: 'osp@uw.edu' })).changed,
        false,
      );
      await store.addInstitutionOfficial('uw.edu', {
        name: 'Sam Signer',
        email: 'osp@uw.edu',
        title: 'Director',
      });
      await store.addInstitutionOfficial('washington.edu', { name: 'Alex Second', email: 'alex@uw.edu' });
      await assert.rejects(
        store.addInstitutionOfficial('uw.edu', { name: '', email: 'x@uw.edu' }),
        /name: is empty/,
      );
      await assert.rejects(
        store.addInstitutionOfficial('uw.edu', { name: 'X', email: 'x' }),
        /x: not an e-mail address/,
      );
      assert.equal((await store.setContractingContact('uw.edu', 'Contracts@uw.edu')).changed, true);
      assert.equal((await store.setContractingContact('uw.edu', 'contracts@uw.edu')).changed, false);
      let profile = await store.institutionByDomain('uw.edu');
      assert.deepEqual(profile?.officials, [
        { name: 'Alex Second', email: 'alex@uw.edu', title: null },
        { name: 'Sam Signer', email: 'osp@uw.edu', title: 'Director' },
      ]);
      assert.equal(profile?.contractingContact, 'contracts@uw.edu');
      assert.equal((await store.removeInstitutionOfficial('uw.edu', 'alex@uw.edu')).changed, true);
      assert.equal((await store.setContractingContact('uw.edu', null)).changed, true);
      profile = await store.institutionByDomain('uw.edu');
      assert.deepEqual(
        profile?.officials.map((o) => o.email),
        ['osp@uw.edu'],
      );
      assert.equal(profile?.contractingContact, null);
      // The report contact (issue 18): its own role, set and cleared the same way.
      assert.equal((await store.setReportContact('uw.edu', 'Research@uw.edu')).changed, true);
      assert.equal((await store.setReportContact('uw.edu', 'research@uw.edu')).changed, false);
      assert.equal((await store.institutionByDomain('uw.edu'))?.reportContact, 'research@uw.edu');
      await assert.rejects(store.setReportContact('uw.edu', 'nope'), /nope: not an e-mail address/);
      assert.equal((await store.setReportContact('uw.edu', null)).changed, true);
      assert.equal((await store.institutionByDomain('uw.edu'))?.reportContact, null);
    });

    it('lists names as people read them: accents and case aside, numbers counted (CLI and web alike)', async () => {
      await store.importInstitutions([
        { name: 'Zeta College', domain: 'zeta.example', tiers: ['registered'] },
        { name: 'Épsilon University', domain: 'epsilon.example', tiers: ['registered'] },
        { name: 'campus 10', domain: 'c10.example', tiers: ['registered'] },
        { name: 'Campus 2', domain: 'c2.example', tiers: ['registered'] },
      ]);
      const mine = (names: string[]) => names.filter((n) => /Zeta|psilon|ampus/.test(n));
      const expected = ['Campus 2', 'campus 10', 'Épsilon University', 'Zeta College'];
      assert.deepEqual(mine((await store.listInstitutions()).map((i) => i.name)), expected);
      assert.deepEqual(mine((await publicInstitutions(db)).map((i) => i.name)), expected);
      // Found as people type them, without the accents (a researcher on the web, the access team's lookup).
      for (const typed of ['epsilon univ', 'ÉPSILON', 'epsilon.example']) {
        assert.deepEqual(
          (await store.findInstitutions(typed)).map((i) => i.name),
          ['Épsilon University'],
          typed,
        );
        assert.deepEqual(
          (await publicInstitutions(db, typed)).map((i) => i.name),
          ['Épsilon University'],
          typed,
        );
      }
      assert.deepEqual(await publicInstitutions(db, 'nowhere at all'), []);
      // An address, as a researcher may type it: its domain's institution, or its nearest parent's.
      for (const typed of ['ned@epsilon.example', 'Ned@Med.Epsilon.Example '])
        assert.deepEqual(
          (await publicInstitutions(db, typed)).map((i) => i.name),
          ['Épsilon University'],
          typed,
        );
      assert.deepEqual(await publicInstitutions(db, 'ned@nowhere.example'), []);
    });

    it('finds the likely parent of a domain not listed by its registrable domain, closest first', async () => {
      assert.deepEqual(await store.likelyParentInstitution('med.uw.edu'), {
        id: 'uw.edu',
        name: 'University of Washington',
        domain: 'uw.edu',
      });
      assert.equal(await store.likelyParentInstitution('uw.edu'), null); // listed
      assert.equal(await store.likelyParentInstitution('wsu.edu'), null);
      await store.importInstitutions([{ name: 'UW Medicine', domain: 'med.uw.edu', tiers: ['registered'] }]);
      assert.equal((await store.likelyParentInstitution('cs.med.uw.edu'))?.id, 'med.uw.edu');
      assert.equal((await store.likelyParentInstitution('bio.uw.edu'))?.id, 'uw.edu');
    });

    it('checkCoverage: the institution by e-mail domain, its rules, the likely parent', async () => {
      const parent = await checkCoverage(store, 'Ada@Dept.Washington.edu');
      assert.equal(parent.institution, null);
      assert.deepEqual(parent.likelyParent, { id: 'uw.edu', name: 'University of Washington' });
      assert.equal(parent.next, 'submit-request');

      const second = await store.checkCoverage('grace@washington.edu', ['controlled']);
      assert.deepEqual(second.institution, { id: 'uw.edu', name: 'University of Washington' });
      assert.equal(second.next, 'create-account');

      const listed = await checkCoverage(store, 'ada@oregonstate.edu', ['controlled']);
      assert.deepEqual(
        listed.tiers.map((t) => [t.tier, t.because]),
        [
          ['registered', 'domain'],
          ['controlled', 'address'],
        ],
      );
      assert.equal(listed.next, 'create-account');
      const notListed = await checkCoverage(store, 'bob@oregonstate.edu', ['controlled']);
      assert.equal(notListed.next, 'submit-request');
      assert.match(notListed.nextStep, /requires individual agreements for the Controlled Tier/);
      await assert.rejects(checkCoverage(store, 'nope'), /^Error: nope: not an e-mail address$/);
    });
  });
}
