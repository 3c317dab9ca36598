import { defineQuery } from '@temporalio/workflow';
import type { EnrichmentCounts } from './counts';
import type { Controls } from './controls';
import type { Progress } from './progress';

/** An enrichment run's answer to the `progress` query. */
export interface EnrichmentProgress {
  kind: 'enrichment';
  batchesDone: number;
  counts: EnrichmentCounts;
  controls: Controls;
}

/** `temporal workflow query --type progress`: where an ingestion, backfill or enrichment is. */
export const progressQuery = defineQuery<Progress | EnrichmentProgress>('progress');
