/** The job names written to JobWatermark, JobRunHistory and ProcessedItems: the legacy jobs' names, which operators' queries use. */
export type JobName = 'GoAuditsIngestion' | 'GoAuditsEnrichment';
export const INGESTION_JOB: JobName = 'GoAuditsIngestion';
export const ENRICHMENT_JOB: JobName = 'GoAuditsEnrichment';
