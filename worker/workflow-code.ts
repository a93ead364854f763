/**
 * The workflow code the worker runs, and its build id.
 *
 * The build id is short, `dura/<version>+<12 hex digits of the bundle's SHA-256>`: the server writes it
 * into every workflow task's completion (as workerVersion.buildId; the SDK's default goes to
 * binaryChecksum), 18 of them in one agreement's lifecycle, and the default
 * (`@temporalio/worker@<version>+<64 hex digits>`) is 68 bytes longer: about 1.2 kB of every
 * lifecycle's history (issue 12, history weight). 48 bits of the hash tell builds apart as well.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { projectRoot } from '../common/project-root';
import { WORKFLOW_BUNDLE } from '../scripts/bundle-workflows';
import { TemporalLogger, type Pino } from './logging';

export interface WorkflowCode {
  bundle: WorkflowBundle & { code: string };
  buildId: string;
  /** For the `polling` line. */
  source: 'prebuilt bundle' | 'bundled at start';
}

/** `npm run build`'s bundle when there is one (read once, hashed here instead of by the SDK); else bundled now. */
export async function workflowCode(log: Pino): Promise<WorkflowCode> {
  const prebuilt = fs.existsSync(WORKFLOW_BUNDLE);
  const bundle = prebuilt ? { code: fs.readFileSync(WORKFLOW_BUNDLE, 'utf8') } : await bundleAtStart(log);
  return {
    bundle,
    buildId: buildIdOf(bundle.code),
    source: prebuilt ? 'prebuilt bundle' : 'bundled at start',
  };
}

/** `dura/0.1.0+1a2b3c4d5e6f` (no @: logs would take it for an address) for a bundle's code. */
export function buildIdOf(code: string): string {
  const file = path.join(projectRoot(), 'package.json');
  const { version } = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string };
  return `dura/${version}+${createHash('sha256').update(code).digest('hex').slice(0, 12)}`;
}

/**
 * Without `npm run build`'s bundle (running from the sources), webpack bundles the workflows here: a
 * second or two, and its multi-line report only when something is wrong.
 */
function bundleAtStart(log: Pino): Promise<WorkflowBundle & { code: string }> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: new TemporalLogger(log.child({}, { level: 'warn' })),
  });
}
