/**
 * The intake's like-for-like client: the raw @temporalio/client sending the same requests as `dura
 * import` (the bench's CSV) as the same update-with-start of `agreementWorkflow` + `join`, waiting for
 * each answer, rows of one domain in file order and `--concurrency` domains at once, but with none of
 * dura's code: no CLI, no checks, no progress, no output but one JSON line. The difference between it
 * and `dura import` is what dura's client side costs; between it and the no-op starts (raw-start.ts),
 * what the agreement's own work costs. Environment: TEMPORAL_ADDRESS, BENCH_TASK_QUEUE.
 */
import * as fs from 'node:fs';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1]!;
}

/** The bench's CSV (bench/intake.ts writeCsv: no quoted fields) as requests, grouped by domain. */
function requestsByDomain(file: string): Map<string, unknown[]> {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const names = header!.split(',');
  const groups = new Map<string, unknown[]>();
  const receivedAt = new Date().toISOString();
  for (const line of lines) {
    const v = Object.fromEntries(line.split(',').map((value, i) => [names[i], value]));
    const request = {
      institution: { name: v.institution_name, domain: v.domain },
      requester: { name: v.requester_name, email: v.requester_email },
      signingOfficial: { name: v.official_name, email: v.official_email },
      tiers: v.tiers!.split(';'),
      receivedAt,
    };
    groups.set(v.domain!, [...(groups.get(v.domain!) ?? []), request]);
  }
  return groups;
}

async function main(): Promise<void> {
  const file = process.argv[2]!;
  const concurrency = Number(flag('--concurrency', '8'));
  const taskQueue = process.env.BENCH_TASK_QUEUE ?? 'dura';
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const client = new Client({ connection });
  const queue = [...requestsByDomain(file)];
  let answered = 0;
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [domain, requests] = next;
      for (const request of requests) {
        const start = new WithStartWorkflowOperation('agreementWorkflow', {
          workflowId: `dura-${domain}`,
          taskQueue,
          args: [{ request }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
        await client.workflow.executeUpdateWithStart('join', { args: [request], startWorkflowOperation: start });
        answered++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  const done = performance.now();
  await connection.close();
  console.log(JSON.stringify({ answered, processMs: Math.round(done) }));
}

main().catch((err: unknown) => {
  console.error(`raw-request: ${String(err)}`);
  process.exit(1);
});
