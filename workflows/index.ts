// Every workflow the dura worker runs.
export { agreementWorkflow } from './agreement';
export { digestWorkflow } from './digest';
