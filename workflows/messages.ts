import { defineQuery } from '@temporalio/workflow';
import type { EnrichmentCounts, IngestionCounts } from './counts';

/** Where a run is: units are summary windows for ingestion, batches for enrichment. */
export interface Progress<C = IngestionCounts | EnrichmentCounts> {
  done: number;
  total: number;
  counts: C;
}

export const progressQuery = defineQuery<Progress>('progress');
