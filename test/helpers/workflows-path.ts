/** The agreement workflows' module, for workers and bundles in tests. */
export const workflowsPath = require.resolve('../../workflows');
