import { defineQuery } from '@temporalio/workflow';
import type { Progress } from './progress';

/** `temporal workflow query --type progress`: where an ingestion, backfill or sweep is. */
export const progressQuery = defineQuery<Progress>('progress');
