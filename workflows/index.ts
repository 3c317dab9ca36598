/** The workflow types this worker serves. */
export { ingestionWorkflow } from './ingest';
export { enrichmentWorkflow } from './enrich';
export { watermarkWorkflow } from './watermark';
export { quarantineWorkflow } from './quarantine';
export { missedDaysWorkflow } from './missed-days';
export { reconcileWorkflow } from './reconcile';
export { deletedReportsWorkflow } from './deleted-reports';
