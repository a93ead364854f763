// Which refusals `dura request` and the access team's updates wait out (client/update-retry.ts), for an
// update-with-start the server refuses whole: its reason is only in the per-operation statuses, as
// the Temporal server encodes them (google.rpc.Status with a MultiOperationExecutionFailure).
import { strict as assert } from 'node:assert';
import { google, temporal } from '@temporalio/proto';
import { transientReason } from '../client/update-retry';

const errordetails = temporal.api.errordetails.v1;
const any = (name: string, value: Uint8Array) => ({ type_url: `type.googleapis.com/${name}`, value });

/** A gRPC error as @grpc/grpc-js gives it for an update-with-start refused whole. */
function refusedWhole(code: number, update: { code: number; message: string; detail?: string }): Error {
  const aborted = any('temporal.api.failure.v1.MultiOperationExecutionAborted', new Uint8Array());
  const failure = errordetails.MultiOperationExecutionFailure.encode({
    statuses: [
      { code: 10, message: 'Operation was aborted.', details: [aborted] },
      {
        code: update.code,
        message: update.message,
        details: update.detail ? [any(update.detail, new Uint8Array())] : [],
      },
    ],
  }).finish();
  const message = 'Update-with-Start could not be executed.';
  const status = google.rpc.Status.encode({
    code,
    message,
    details: [any('temporal.api.errordetails.v1.MultiOperationExecutionFailure', failure)],
  }).finish();
  const bin = Buffer.from(status);
  return Object.assign(new Error(`${code} ${message}`), {
    code,
    details: message,
    metadata: { get: (key: string) => (key === 'grpc-status-details-bin' ? [bin] : []) },
  });
}

describe('update-with-start refused whole: waited out or not', () => {
  it('a workflow task in failed state (a worker died holding the agreement) is waited out', () => {
    const err = refusedWhole(9, {
      code: 9,
      message: 'Unable to perform workflow execution update due to Workflow Task in failed state.',
      detail: 'temporal.api.errordetails.v1.WorkflowNotReadyFailure',
    });
    assert.match(transientReason(err) ?? '', /a worker stopped while it held the agreement/);
    assert.match(
      transientReason(Object.assign(new Error('wrapped'), { cause: err })) ?? '',
      /worker stopped/,
    );
  });

  it('the same refusal with another reason is not: it is reported at once', () => {
    const limit = refusedWhole(9, {
      code: 9,
      message: 'limit on number of total updates has been reached (2000)',
    });
    assert.equal(transientReason(limit), undefined);
    const started = refusedWhole(6, { code: 6, message: 'Workflow execution is already running.' });
    assert.equal(transientReason(started), undefined);
  });

  it('a status it cannot read is judged by its message alone', () => {
    const err = Object.assign(new Error('9 Update-with-Start could not be executed.'), {
      code: 9,
      details: 'Update-with-Start could not be executed.',
      metadata: { get: () => [Buffer.from([0xff, 0xff, 0xff])] },
    });
    assert.equal(transientReason(err), undefined);
  });
});
