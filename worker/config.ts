import { z } from 'zod';
import { describeIssues } from '../shared/zod-issues';
import { ConfigError } from './config-error';
import { blankIsUnset } from '../shared/blank-is-unset';
import { temporalConnection, usesConfiguredTemporal } from './temporal-connection';

/**
 * The pipeline's configuration, read once from the environment and validated with zod.
 * The legacy jobs' variable names are kept where one exists (see the README's table).
 * Secrets stay out of this object: the token is read by a TokenSource when a call needs it.
 */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(blankIsUnset, schema.optional());

const environmentSchema = z.object({
  TEMPORAL_ADDRESS: optional(z.string()),
  /** Unset: the profile's (see temporal-connection.ts), else `default`. */
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('goaudits'),
  GOAUDITS_API_TASK_QUEUE: z.string().default('goaudits-api'),

  GOAUDITS_AUDITSUMMARY_URL: optional(z.url()),
  GOAUDITS_AUDITDETAILS_URL: optional(z.url()),
  GOAUDITS_STATUS: z.string().default('Completed'),
  GOAUDITS_FILTER_ID: z.string().default(''),
  GOAUDITS_HTTP_TIMEOUT_MS: whole(1000, 600_000).default(30_000),
  GOAUDITS_MAX_RESPONSE_MB: whole(1, 1024).default(64),
  GOAUDITS_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(1000).default(10),
  GOAUDITS_RATE_SAFETY_MS: whole(0, 1000).default(50),
  /** Most of the call lane backfills and other long runs take together while other runs call (0 < share <= 1). */
  GOAUDITS_BACKFILL_MAX_SHARE: z.coerce.number().gt(0).max(1).default(0.8),
  /** Every backfill's GoAudits calls per UTC day, unless its input (or `tune`) says otherwise; unset: no budget. */
  GOAUDITS_BACKFILL_MAX_CALLS_PER_DAY: optional(whole(1, 100_000_000)),
  /** The length of a budget day: a UTC day; tests shorten it to cross "midnight" quickly. */
  GOAUDITS_BUDGET_DAY_MS: whole(1000, 86_400_000).default(86_400_000),

  GOAUDITS_START_DATE: optional(isoDate),
  GOAUDITS_END_DATE: optional(isoDate),
  GOAUDITS_WINDOW_DAYS: whole(1, 366).default(1),
  /** Days before today the hourly run reads again, for edits that did not move Updated_On; 0: none. */
  GOAUDITS_LOOKBACK_DAYS: whole(0, 31).default(1),

  GOAUDITS_ENRICH_BATCH_SIZE: whole(1, 1000).default(50),
  /** A ceiling on a run's details calls in flight, or `auto`: as many as the rate times the latency needs. */
  GOAUDITS_ENRICH_CONCURRENCY: z.preprocess(blankIsUnset, z.union([z.literal('auto'), whole(1, 64)]).default('auto')),
  GOAUDITS_ENRICH_SWEEP_LIMIT: whole(1, 100_000).default(500),
  GOAUDITS_QUARANTINE_AFTER: whole(1, 100).default(3),

  GOAUDITS_RETRY_INITIAL_MS: whole(10, 60_000).default(1000),
  GOAUDITS_RETRY_MAX_MS: whole(10, 600_000).default(8000),
  GOAUDITS_RETRY_ATTEMPTS: whole(1, 20).default(5),

  GOAUDITS_INGEST_CRON: z.string().default('0 * * * *'),
  GOAUDITS_ENRICH_CRON: z.string().default('15 * * * *'),
  /** The weekly reconcile (Sunday 03:00 UTC): the days before today it reconciles, with repair, and its details sample per day. */
  GOAUDITS_RECONCILE_CRON: z.string().default('0 3 * * 0'),
  GOAUDITS_RECONCILE_DAYS: whole(1, 3660).default(30),
  GOAUDITS_RECONCILE_DETAILS: whole(0, 100_000).default(5),

  SQLITE_PATH: z.string().default('.data/goaudits.db'),
  /** A workflow bundle made at image build time (scripts/bundle-workflows.js); unset: bundle at start. */
  WORKFLOW_BUNDLE_PATH: optional(z.string()),
  LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('WARN'),
  /** `json`: one JSON object a line; `pretty`: readable lines. Unset: pretty on a terminal, else JSON. */
  LOG_FORMAT: optional(z.enum(['json', 'pretty'])),
  /** Where the worker serves Prometheus metrics (`/metrics`, on every interface); 0 turns them off. */
  METRICS_PORT: whole(0, 65_535).default(9464),
  SQL_SERVER: optional(z.string()),
  SQL_DATABASE: optional(z.string()),
});

export type Environment = z.infer<typeof environmentSchema>;

export { ConfigError };

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`bad configuration: ${describeIssues(parsed.error)}`);
  }
  const { GOAUDITS_START_DATE: start, GOAUDITS_END_DATE: end, GOAUDITS_RETRY_INITIAL_MS: first, GOAUDITS_RETRY_MAX_MS: most } = parsed.data;
  if (start && end && start > end) {
    throw new ConfigError(`bad configuration: GOAUDITS_START_DATE ${start} is after GOAUDITS_END_DATE ${end}`);
  }
  if (first > most) {
    throw new ConfigError(`bad configuration: GOAUDITS_RETRY_INITIAL_MS ${first} is above GOAUDITS_RETRY_MAX_MS ${most}`);
  }
  // A profile may name the namespace; TEMPORAL_NAMESPACE, when set, wins as everywhere.
  const namespace = usesConfiguredTemporal(env) ? temporalConnection(env, () => undefined).namespace : parsed.data.TEMPORAL_NAMESPACE;
  return { ...parsed.data, TEMPORAL_NAMESPACE: namespace };
}
