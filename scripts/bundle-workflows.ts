/**
 * `npm run build` bundles the workflow code once, so that the worker starts without running webpack
 * (faster, and quiet). The worker falls back to bundling at start when the file is missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

export const WORKFLOW_BUNDLE = path.join(__dirname, '..', 'workflow-bundle.js');

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: new DefaultLogger('WARN'),
  });
  fs.writeFileSync(WORKFLOW_BUNDLE, code);
  console.log(
    `workflow bundle: ${path.relative(process.cwd(), WORKFLOW_BUNDLE)} (${(code.length / 1e6).toFixed(2)} MB)`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`bundle-workflows: ${(err as Error).message}`);
    process.exit(1);
  });
}
