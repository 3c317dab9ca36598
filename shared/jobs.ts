/** The job names written to JobWatermark, JobRunHistory and ProcessedItems: the legacy jobs' names, which operators' queries use. */
export type JobName = 'GoAuditsIngestion' | 'GoAuditsEnrichment' | 'GoAuditsReconcile';
export const INGESTION_JOB: JobName = 'GoAuditsIngestion';
export const ENRICHMENT_JOB: JobName = 'GoAuditsEnrichment';
/** A reconcile's row: the tables compared with GoAudits over a range (its repairs' enrichment has a GoAuditsEnrichment row). */
export const RECONCILE_JOB: JobName = 'GoAuditsReconcile';
