/** The workflow types this worker serves. */
export { ingestionWorkflow } from './ingest';
export { enrichmentWorkflow, enrichBatchWorkflow } from './enrich';
export { watermarkWorkflow } from './watermark';
