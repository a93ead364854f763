// Coverage (common/coverage.ts): the seed's step 1 as one pure function, every rule × tier × listing.
import { strict as assert } from 'node:assert';
import type { Tier } from '../common/agreement';
import {
  coverage,
  joinRefusal,
  parseEmail,
  registrableDomain,
  tiersAsked,
  withAgreementInProcess,
  type CoverageInstitution,
  type MembershipRule,
} from '../common/coverage';

type TierSetup = { rule: MembershipRule; addresses?: string[] } | null;

/** University of Washington at uw.edu and washington.edu, listed for the tiers given (null: not listed). */
function uw(registered: TierSetup, controlled: TierSetup): CoverageInstitution {
  const tiers: CoverageInstitution['tiers'] = [];
  for (const [tier, setup] of [
    ['registered', registered],
    ['controlled', controlled],
  ] as const) {
    if (setup)
      tiers.push({ tier, rule: setup.rule, addresses: (setup.addresses ?? []).map((email) => ({ email })) });
  }
  return { id: 'uw.edu', name: 'University of Washington', domains: ['uw.edu', 'washington.edu'], tiers };
}

describe('coverage: is this address covered, and what next', () => {
  // Every combination of the tier's rule × the tier asked × the address listed or not (both tiers of
  // the institution have the rule; listed: the address is on the tiers' address lists).
  const combinations: Array<{
    rule: MembershipRule;
    asked: Tier;
    listed: boolean;
    covered: Array<[Tier, 'domain' | 'address' | null]>;
    next: string;
    says: RegExp;
  }> = [
    ...(['registered', 'controlled'] as const).flatMap((asked) =>
      [true, false].map((listed) => ({
        rule: 'domains' as const,
        asked,
        listed,
        // A domains rule covers every address at its domains, listed or not.
        covered: tiersAsked([asked]).map((t): [Tier, 'domain'] => [t, 'domain']),
        next: 'create-account',
        says: /^University of Washington \(uw\.edu\) is listed for the Registered Tier \(any address at its domains\).*: create an account\.$/,
      })),
    ),
    {
      rule: 'individual',
      asked: 'registered',
      listed: true,
      covered: [['registered', 'address']],
      next: 'create-account',
      says: /listed for the Registered Tier \(ada@uw\.edu is listed\): create an account\./,
    },
    {
      rule: 'individual',
      asked: 'registered',
      listed: false,
      covered: [['registered', null]],
      next: 'submit-request',
      says: /requires individual agreements for the Registered Tier and ada@uw\.edu is not listed: submit a DURA request for an individual agreement/,
    },
    {
      rule: 'individual',
      asked: 'controlled',
      listed: true,
      covered: [
        ['registered', 'address'],
        ['controlled', 'address'],
      ],
      next: 'create-account',
      says: /the Registered Tier \(ada@uw\.edu is listed\) and the Controlled Tier \(ada@uw\.edu is listed\): create an account/,
    },
    {
      rule: 'individual',
      asked: 'controlled',
      listed: false,
      covered: [
        ['registered', null],
        ['controlled', null],
      ],
      next: 'submit-request',
      says: /requires individual agreements for the Registered Tier and the Controlled Tier and ada@uw\.edu is not listed: submit a DURA request/,
    },
  ];

  for (const c of combinations) {
    it(`rule ${c.rule}, asked ${c.asked}, address ${c.listed ? 'listed' : 'not listed'} → ${c.next}`, () => {
      const setup = { rule: c.rule, addresses: c.listed ? ['Ada@UW.edu'] : ['bob@uw.edu'] };
      const result = coverage({ email: ' ADA@uw.EDU ', tiers: [c.asked], institution: uw(setup, setup) });
      assert.equal(result.email, 'ada@uw.edu');
      assert.equal(result.domain, 'uw.edu');
      assert.deepEqual(result.institution, { id: 'uw.edu', name: 'University of Washington' });
      assert.deepEqual(
        result.tiers.map((t) => [t.tier, t.because]),
        c.covered,
      );
      assert.deepEqual(
        result.tiers.map((t) => [t.covered, t.rule]),
        c.covered.map(([, because]) => [because !== null, c.rule]),
      );
      assert.equal(result.next, c.next);
      assert.match(result.nextStep, c.says);
      assert.equal(result.likelyParent, null);
    });
  }

  it('the institution not listed, for each tier asked → submit a DURA request', () => {
    for (const asked of ['registered', 'controlled'] as const) {
      const result = coverage({ email: 'ada@nowhere.edu', tiers: [asked], institution: null });
      assert.equal(result.institution, null);
      assert.deepEqual(
        result.tiers.map((t) => [t.tier, t.covered, t.because, t.rule]),
        tiersAsked([asked]).map((t) => [t, false, null, null]),
      );
      assert.equal(result.next, 'submit-request');
      assert.equal(
        result.nextStep,
        'nowhere.edu is not on the Registered Institutions list: submit a DURA request, with the name of a signing official at your institution.',
      );
    }
  });

  it('registered by domain, controlled not listed: an amendment; individual-registered or individual-controlled: a request', () => {
    const amendment = coverage({
      email: 'ada@uw.edu',
      tiers: ['controlled'],
      institution: uw({ rule: 'domains' }, null),
    });
    assert.equal(amendment.next, 'request-controlled');
    assert.deepEqual(
      amendment.tiers.map((t) => [t.tier, t.covered, t.rule]),
      [
        ['registered', true, 'domains'],
        ['controlled', false, null],
      ],
    );
    assert.match(
      amendment.nextStep,
      /does not have access to the Controlled Tier: request the Controlled Tier \(an amendment/,
    );
    // Asked for registered only, the same institution is enough.
    assert.equal(
      coverage({ email: 'ada@uw.edu', tiers: ['registered'], institution: uw({ rule: 'domains' }, null) })
        .next,
      'create-account',
    );

    const individualRegistered = coverage({
      email: 'ada@uw.edu',
      tiers: ['controlled'],
      institution: uw({ rule: 'individual', addresses: ['ada@uw.edu'] }, null),
    });
    assert.equal(individualRegistered.next, 'submit-request');
    assert.match(
      individualRegistered.nextStep,
      /is not listed for the Controlled Tier: submit a DURA request,/,
    );

    const individualControlled = coverage({
      email: 'ada@uw.edu',
      tiers: ['controlled'],
      institution: uw({ rule: 'domains' }, { rule: 'individual', addresses: ['bob@uw.edu'] }),
    });
    assert.equal(individualControlled.next, 'submit-request');
    assert.match(individualControlled.nextStep, /requires individual agreements for the Controlled Tier/);
    assert.equal(
      coverage({
        email: 'ada@uw.edu',
        tiers: ['controlled'],
        institution: uw({ rule: 'domains' }, { rule: 'individual', addresses: ['ada@uw.edu'] }),
      }).next,
      'create-account',
    );

    const controlledOnly = coverage({ email: 'ada@uw.edu', institution: uw(null, { rule: 'domains' }) });
    assert.equal(controlledOnly.next, 'submit-request');
    assert.match(controlledOnly.nextStep, /is not listed for the Registered Tier: submit a DURA request/);
  });

  it('the second domain of an institution is covered like the first', () => {
    const result = coverage({
      email: 'grace@Washington.edu',
      tiers: ['registered', 'controlled'],
      institution: uw({ rule: 'domains' }, { rule: 'domains' }),
    });
    assert.equal(result.domain, 'washington.edu');
    assert.deepEqual(result.institution, { id: 'uw.edu', name: 'University of Washington' });
    assert.deepEqual(
      result.tiers.map((t) => [t.tier, t.covered, t.because]),
      [
        ['registered', true, 'domain'],
        ['controlled', true, 'domain'],
      ],
    );
    assert.equal(result.next, 'create-account');
  });

  it('med.uw.edu is not covered by uw.edu (exact domains), and is flagged with its likely parent', () => {
    const flagged = coverage({
      email: 'ada@med.uw.edu',
      institution: null,
      likelyParent: { id: 'uw.edu', name: 'University of Washington' },
    });
    assert.equal(flagged.institution, null);
    assert.deepEqual(flagged.likelyParent, { id: 'uw.edu', name: 'University of Washington' });
    assert.equal(flagged.next, 'submit-request');
    assert.match(
      flagged.nextStep,
      // Nothing the request form cannot carry (a trial was told to "say so in the request", with no field for it).
      /^med\.uw\.edu is not on the Registered Institutions list: submit a DURA request.* med\.uw\.edu may belong to University of Washington \(uw\.edu\), which is listed: a request for med\.uw\.edu says so to the access team, who add med\.uw\.edu to it if it is theirs\.$/,
    );
    // Handed uw.edu's institution by mistake, coverage still matches domains exactly.
    const exact = coverage({ email: 'ada@med.uw.edu', institution: uw({ rule: 'domains' }, null) });
    assert.equal(exact.institution, null);
    assert.equal(exact.tiers[0]?.covered, false);
    assert.equal(exact.next, 'submit-request');
  });

  it('asks for the Registered Tier by default; controlled implies registered; a bad address throws', () => {
    assert.deepEqual(tiersAsked(), ['registered']);
    assert.deepEqual(tiersAsked(['controlled']), ['registered', 'controlled']);
    assert.deepEqual(tiersAsked(['controlled', 'registered', 'controlled']), ['registered', 'controlled']);
    assert.deepEqual(
      coverage({ email: 'ada@uw.edu', institution: null }).tiers.map((t) => t.tier),
      ['registered'],
    );
    assert.throws(
      () => coverage({ email: 'not an address', institution: null }),
      /^Error: not an address: not an e-mail address$/,
    );
    assert.equal(parseEmail('ada@'), null);
    assert.equal(parseEmail('@uw.edu'), null);
    assert.deepEqual(parseEmail(' Ada@Med.UW.edu '), { email: 'ada@med.uw.edu', domain: 'med.uw.edu' });
  });

  it('a tier the agreement in process went to its official without is refused to its own requesters too', () => {
    const inProcess = (requester: boolean, tiers: Tier[]) =>
      withAgreementInProcess(coverage({ email: 'ann@uw.edu', tiers, institution: null }), {
        agreementId: 'uw.edu-1',
        stage: 'awaiting-signature',
        receivedAt: '2026-11-02T15:00:00.000Z',
        requester,
        tiers: ['registered'],
      });
    for (const requester of [false, true]) {
      assert.match(
        joinRefusal(inProcess(requester, ['controlled']))!,
        /Controlled Tier can be requested once it is signed/,
      );
      assert.equal(
        joinRefusal(inProcess(requester, ['registered'])),
        null,
        'the same tier joins (or is asked already)',
      );
    }
  });

  it('registrableDomain follows the Public Suffix List (tldts)', () => {
    assert.equal(registrableDomain('med.uw.edu'), 'uw.edu');
    assert.equal(registrableDomain('UW.EDU'), 'uw.edu');
    assert.equal(registrableDomain('cs.ox.ac.uk'), 'ox.ac.uk');
    assert.equal(registrableDomain('localhost'), null);
  });
});
