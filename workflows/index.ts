// Every workflow the dura worker runs.
export { agreementWorkflow } from './agreement';
export { digestWorkflow } from './digest';
export { termWorkflow } from './term';
export { registrationWorkflow } from './registration';
