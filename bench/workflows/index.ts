/**
 * Baseline workflows for the benchmarks: the least a Temporal workflow can do while matching the shape
 * of dura's (the same starts, activities, timers and updates), so that a figure's ratio is what dura's
 * own code, records and mail cost on top of Temporal itself. Run by bench/lib/baseline-worker.ts.
 */
export { noopWorkflow } from './noop';
export { lifecycleBaselineWorkflow } from './lifecycle';
