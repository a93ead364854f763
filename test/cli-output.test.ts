// Unit test of the CLI's error mapping (client/output.ts), with process.exit and stderr stubbed by sinon.
import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { ConfigError } from '../common/config';
import { fail, UnreachableError, UserError } from '../client/output';

describe('dura CLI error mapping', () => {
  let exit: sinon.SinonStub;
  let stderr: sinon.SinonStub;
  beforeEach(() => {
    exit = sinon.stub(process, 'exit').throws(new Error('exited'));
    stderr = sinon.stub(process.stderr, 'write').returns(true);
  });
  afterEach(() => sinon.restore());

  function outcome(err: unknown): { code: number; text: string } {
    assert.throws(() => fail(err), /exited/);
    const text = stderr.args.map((a) => String(a[0])).join('');
    return { code: exit.firstCall.args[0] as number, text };
  }

  it('a user error exits 1 with its one line', () => {
    assert.deepEqual(outcome(new UserError('days: expected a whole number')), {
      code: 1,
      text: 'dura: days: expected a whole number\n',
    });
  });

  it('bad configuration exits 1 with one line per variable', () => {
    const { code, text } = outcome(
      new ConfigError(['TEMPORAL_ADDRESS: expected host:port', 'SMTP_URL: expected smtp://']),
    );
    assert.equal(code, 1);
    assert.equal(text, 'dura: TEMPORAL_ADDRESS: expected host:port\ndura: SMTP_URL: expected smtp://\n');
  });

  it('an unreachable server exits 2, whether said by us or by the driver', () => {
    assert.equal(outcome(new UnreachableError('Temporal at 127.0.0.1:1: refused')).code, 2);
    sinon.resetHistory();
    const driver = outcome(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    assert.equal(driver.code, 2);
    assert.equal(driver.text, 'dura: cannot reach connect ECONNREFUSED 127.0.0.1:5432\n');
  });

  it('anything else exits 1 with only its first line (no stack trace)', () => {
    const { code, text } = outcome(new Error('something odd\n    at frame (x.ts:1)'));
    assert.equal(code, 1);
    assert.equal(text, 'dura: something odd\n');
  });
});
