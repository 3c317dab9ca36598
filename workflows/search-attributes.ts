import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Typed search attributes of the pipeline's runs, to find them in the Web UI and with
 * `temporal workflow list --query`. The dev-server launcher registers them; in production:
 * `temporal operator search-attribute create --name <Name> --type <Type>` (see the README).
 */
export const RUN_KIND = defineSearchAttributeKey('GoAuditsRunKind', SearchAttributeType.KEYWORD);
export const WINDOWS_DONE = defineSearchAttributeKey('GoAuditsWindowsDone', SearchAttributeType.INT);
export const WINDOWS_TOTAL = defineSearchAttributeKey('GoAuditsWindowsTotal', SearchAttributeType.INT);
export const REPORTS_INGESTED = defineSearchAttributeKey('GoAuditsReportsIngested', SearchAttributeType.INT);

/** (The dev server allows three Int attributes per namespace: enriched counts are in the details.) */
export const PIPELINE_SEARCH_ATTRIBUTES = [RUN_KIND, WINDOWS_DONE, WINDOWS_TOTAL, REPORTS_INGESTED];

/** `hourly` for scheduled runs, `backfill` for a range started by hand, `enrichment` for sweeps, `reconcile` for reconciles. */
export type RunKind = 'hourly' | 'backfill' | 'enrichment' | 'reconcile';
