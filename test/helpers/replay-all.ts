/**
 * Every history a test file produced, replayed against today's workflow code when the file ends: an
 * agreement whose history its own code cannot replay would be stuck after the next worker restart or
 * cache eviction, so a test that let one through would hide the worst failure dura can have.
 *
 * The dev server lists every run (open and closed, each continue-as-new run too) by visibility; the
 * Java time-skipping server has no visibility list but answers the older open/closed listings.
 */
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import * as duraWorkflows from '../../workflows';
import * as smoke from '../workflows/smoke';
import { workflowBundle } from './env';

const agreementWorkflows = require.resolve('../../workflows');
const smokeWorkflows = require.resolve('../workflows/smoke');

/** Which bundle holds a workflow type: dura's own, or the servers' smoke workflows. */
function bundlePathFor(workflowType: string): string {
  if (workflowType in duraWorkflows) return agreementWorkflows;
  if (workflowType in smoke) return smokeWorkflows;
  throw new Error(`no workflow code for type ${workflowType}`);
}

interface Run {
  workflowId: string;
  runId: string;
  type: string;
}

async function listedRuns(client: Client): Promise<Run[]> {
  const runs: Run[] = [];
  const service = client.workflowService;
  const namespace = client.options.namespace;
  // The raw listing: the SDK's would decode each memo, which an encrypted one (no codec here) fails.
  try {
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await service.listWorkflowExecutions({ namespace, pageSize: 1000, nextPageToken });
      for (const e of page.executions ?? [])
        runs.push({ workflowId: e.execution!.workflowId!, runId: e.execution!.runId!, type: e.type!.name! });
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return runs;
  } catch (err) {
    if ((err as { code?: number }).code !== 12) throw err; // gRPC UNIMPLEMENTED
    runs.length = 0;
  }
  // The time-skipping server: the older listings, open then closed.
  type Page = {
    executions?: temporal.api.workflow.v1.IWorkflowExecutionInfo[] | null;
    nextPageToken?: Uint8Array | null;
  };
  type Listing = (
    request: temporal.api.workflowservice.v1.IListOpenWorkflowExecutionsRequest,
  ) => Promise<Page>;
  const listings: Listing[] = [
    (request) => service.listOpenWorkflowExecutions(request),
    (request) => service.listClosedWorkflowExecutions(request),
  ];
  const startTimeFilter = { earliestTime: msToTs(0), latestTime: msToTs(Date.UTC(2100, 0, 1)) };
  for (const list of listings) {
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await list({ namespace, maximumPageSize: 1000, nextPageToken, startTimeFilter });
      for (const e of page.executions ?? [])
        runs.push({ workflowId: e.execution!.workflowId!, runId: e.execution!.runId!, type: e.type!.name! });
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
  }
  return runs;
}

/** The SDK's replay error, down to its code and what did not match (e.g. `[TMPRL1100] … TimerStarted)`). */
function briefly(message: string): string {
  return /\[TMPRL\d+\][^"]*/.exec(message)?.[0] ?? message.split('\n')[0]!.slice(0, 300);
}

export interface ReplayReport {
  replayed: number;
  failures: string[];
}

/**
 * Replays the full history of every workflow run the server knows with `Worker.runReplayHistories`
 * against today's bundle. Returns the count and one line per failure (`<workflowId> (<runId>): why`).
 */
export async function replayEveryHistory(
  client: Client,
  dataConverter?: DataConverter,
): Promise<ReplayReport> {
  const runs = await listedRuns(client);
  const byBundle = new Map<string, Run[]>();
  for (const run of runs) {
    const file = bundlePathFor(run.type);
    byBundle.set(file, [...(byBundle.get(file) ?? []), run]);
  }
  const failures: string[] = [];
  for (const [file, group] of byBundle) {
    const histories = (async function* () {
      for (const run of group)
        yield {
          workflowId: `${run.workflowId} (${run.runId})`,
          history: await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory(),
        };
    })();
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: await workflowBundle(file), dataConverter },
      histories,
    ))
      if (result.error) failures.push(`${result.workflowId}: ${briefly(result.error.message)}`);
  }
  return { replayed: runs.length, failures };
}

/** Replays everything and throws (failing the test file) when any history does not replay. */
export async function assertEveryHistoryReplays(
  client: Client,
  label = 'this file',
  dataConverter?: DataConverter,
): Promise<void> {
  const { replayed, failures } = await replayEveryHistory(client, dataConverter);
  if (process.env.DURA_REPLAY_LOG !== '0')
    console.log(`      replayed ${replayed} histories of ${label}: ${failures.length} failed`);
  if (failures.length)
    throw new Error(
      `${failures.length} of ${replayed} histories of ${label} do not replay:\n  ${failures.join('\n  ')}`,
    );
}
