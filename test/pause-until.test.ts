// Unit test of `pause-reminders --until` (client/commands/controls.ts pauseUntil): a date whose 09:00
// New York has passed would pause nothing. The clock is sinon's; stderr (the "read as" echo) is stubbed.
import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { UserError } from '../client/output';
import { pauseUntil } from '../client/pause-until';

describe('pause-reminders --until', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => sinon.stub(process.stderr, 'write').returns(true));
  afterEach(() => {
    clock?.restore();
    sinon.restore();
  });
  const at = (iso: string) => {
    clock?.restore();
    clock = sinon.useFakeTimers({ now: new Date(iso), toFake: ['Date'] });
  };

  it('refuses today once 09:00 New York has passed, naming the flag and when the pause would end', async () => {
    at('2026-12-01T19:04:00Z'); // Tuesday, 2:04 PM ET
    await assert.rejects(
      pauseUntil('2026-12-01'),
      (err: Error) =>
        err instanceof UserError &&
        err.message ===
          '--until: 2026-12-01: reminders would resume at Tuesday, December 1, 2026, 9:00 AM ET, already past; give a later date',
    );
    assert.equal(await pauseUntil('2026-12-02'), '2026-12-02');
  });

  it('takes today before 09:00 New York, and a weekend day whose next business morning is ahead', async () => {
    at('2026-12-01T12:00:00Z'); // Tuesday, 7:00 AM ET
    assert.equal(await pauseUntil('2026-12-01'), '2026-12-01');
    at('2026-12-05T20:00:00Z'); // Saturday afternoon: reminders would resume Monday morning
    assert.equal(await pauseUntil('2026-12-05'), '2026-12-05');
    // The echo names the day they resume: Christmas is a holiday, the 26th and 27th a weekend.
    const echo = process.stderr.write as sinon.SinonStub;
    echo.resetHistory();
    await pauseUntil('2026-12-25');
    assert.equal(
      echo.firstCall.args[0],
      'dura: --until 2026-12-25 read as Friday, December 25, 2026: the pause ends Monday, December 28, 2026, 9:00 AM ET\n',
    );
  });

  it('warns of a pause longer than a quarter (a year typed wrong), and takes it', async () => {
    at('2026-12-01T15:00:00Z');
    const echo = process.stderr.write as sinon.SinonStub;
    echo.resetHistory();
    assert.equal(await pauseUntil('2027-03-01'), '2027-03-01'); // 90 days: no warning
    assert.ok(!echo.args.some(([line]) => String(line).includes('warning')));
    assert.equal(await pauseUntil('2027-09-15'), '2027-09-15');
    assert.equal(
      echo.lastCall.args[0],
      'dura: warning: --until: 2027-09-15 is 288 days away: no reminders to the signing official until ' +
        'Wednesday, September 15, 2027, 9:00 AM ET (`dura resume-reminders` ends the pause sooner)\n',
    );
  });

  it('refuses a pause of more than a year (2062 for 2026), before echoing how it read the date', async () => {
    at('2026-12-01T15:00:00Z');
    const echo = process.stderr.write as sinon.SinonStub;
    echo.resetHistory();
    await assert.rejects(
      pauseUntil('2062-01-04'),
      (err: Error) =>
        err instanceof UserError &&
        err.message ===
          '--until: 2062-01-04 is 12818 days away: a pause is at most a year (366 days); if the year is ' +
            'mistyped, type it again; an institution that will not sign for longer: `dura cancel`',
    );
    assert.equal(echo.callCount, 0);
    assert.equal(await pauseUntil('2027-12-01'), '2027-12-01'); // a year to the day: taken
  });
});
