/** The job names written to JobWatermark, JobRunHistory and ProcessedItems, as today. */
export type JobName = 'GoAuditsIngestion' | 'GoAuditsEnrichment';
export const INGESTION_JOB: JobName = 'GoAuditsIngestion';
export const ENRICHMENT_JOB: JobName = 'GoAuditsEnrichment';
