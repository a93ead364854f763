/** A workflow that holds nothing and waits: the least a cached run can be. */
import { condition, defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';

export const pingQuery = defineQuery<string>('ping');
export const touchUpdate = defineUpdate<string>('touch');

export async function idleWorkflow(): Promise<void> {
  setHandler(pingQuery, () => 'pong');
  setHandler(touchUpdate, () => 'touched');
  await condition(() => false);
}
