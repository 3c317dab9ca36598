import { defineQuery, defineSignal } from '@temporalio/workflow';
import { BATCH_PROGRESS_SIGNAL, type BatchProgressReport } from '../shared/batch-progress';
import type { Progress } from './progress';

/** `temporal workflow query --type progress`: where an ingestion, backfill or sweep is. */
export const progressQuery = defineQuery<Progress>('progress');

/** A running enrichment batch's counts so far (see shared/batch-progress.ts). */
export const batchProgressSignal = defineSignal<[BatchProgressReport]>(BATCH_PROGRESS_SIGNAL);
