/** The intake baseline: a workflow that does nothing, started 2,000 times by the raw client. */
export async function noopWorkflow(): Promise<void> {}
