/** The simulator's options, validated with zod: where it listens, its data, and its misbehaviour. */
import { z } from 'zod';
import { datasetSpecSchema } from './dataset';

const rate = z.number().min(0).max(1).default(0);

/** What `setFaults` may change at run time. For the nullable ones, null (or absent) means "off". */
const faultShape = {
  /** Delay before every API answer: its median when `latencyP95Ms` is set (see latency.ts). */
  latencyMs: z.number().int().min(0).default(0),
  /** The tail: the 95th percentile of a log-normal delay whose median is `latencyMs`; null: every answer takes `latencyMs`. */
  latencyP95Ms: z.number().int().min(0).nullish(),
  /** Extra random delay, 0..latencyJitterMs, per answer. */
  latencyJitterMs: z.number().int().min(0).default(0),
  /** Most admitted calls in any 1000 ms; over it: 429 with `Retry-After: 1`. */
  rateLimitPerSecond: z.number().int().positive().nullish(),
  /** Share of admitted calls answered 500, 502 or 503. */
  fault5xxRate: rate,
  /** Share of admitted calls that hang `hangMs`, then answer 504. */
  timeoutRate: rate,
  /** Share of admitted calls answered 200 with a cut-off JSON body. */
  malformedRate: rate,
  /** How long a timed-out call hangs. */
  hangMs: z.number().int().min(0).default(35_000),
  /** Summary calls spanning more days than this hang, then answer 504. */
  summaryMaxDays: z.number().int().positive().nullish(),
  /** Audit ids whose details calls answer 500. */
  failingDetails: z.array(z.string()).default([]),
  /** Days (YYYY-MM-DD) whose summary calls, any window that includes them, answer 500. */
  failingSummaryDays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
  /** After this many admitted calls, the token is revoked (once; re-armed by setting it again). */
  revokeTokenAfterCalls: z.number().int().min(0).nullish(),
  /** The status sent for a revoked token. */
  revokedStatus: z.union([z.literal(401), z.literal(403)]).default(401),
  /**
   * A spent daily quota: from the moment this is set, for this many seconds, every API call is
   * answered 429 with `Retry-After` the seconds left.
   */
  quotaSeconds: z.number().int().positive().nullish(),
};

const ratesAddUp = (options: { fault5xxRate: number; timeoutRate: number; malformedRate: number }): boolean =>
  options.fault5xxRate + options.timeoutRate + options.malformedRate <= 1;
const ratesMessage = { message: 'fault5xxRate + timeoutRate + malformedRate must not exceed 1', path: ['fault5xxRate'] };

export const faultOptionsSchema = z.strictObject(faultShape).refine(ratesAddUp, ratesMessage);

export const simulatorOptionsSchema = z
  .strictObject({
    /** 0 picks a free port. */
    port: z.number().int().min(0).max(65_535).default(0),
    host: z.string().min(1).default('127.0.0.1'),
    /** The valid bearer token. */
    token: z.string().min(1),
    dataset: datasetSpecSchema,
    ...faultShape,
  })
  .refine(ratesAddUp, ratesMessage);

export type SimulatorOptions = z.input<typeof simulatorOptionsSchema>;
export type FaultOptions = z.output<typeof faultOptionsSchema>;
export type FaultPatch = Partial<z.input<typeof faultOptionsSchema>>;
