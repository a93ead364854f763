// Small real workflows for the servers' smoke tests.
import { condition, defineSignal, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { DuraStage } from '../../workflows/search-attributes';

export const finish = defineSignal('finish');

/** Sleeps the biweekly interval; under time skipping this takes no wall time. */
export async function fortnight(): Promise<string> {
  await sleep('14 days');
  return 'reminded';
}

/** Moves its own DuraStage, then waits to be told to finish. */
export async function staged(stage: string): Promise<string> {
  let done = false;
  setHandler(finish, () => void (done = true));
  upsertSearchAttributes([{ key: DuraStage, value: stage }]);
  await condition(() => done);
  return stage;
}
