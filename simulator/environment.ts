/** Simulator options from `SIM_*` environment variables, for main.ts and the embedded worker. */
import { z } from 'zod';
import type { SimulatorOptions } from './options';
import { DAY_MS, dayOf, daySchema, parseDay } from './time';
import { parseOrThrow } from './validate';

const DEFAULT_DAYS = 14;

/** A whole number from the environment; unset or empty means the default. */
const wholeNumber = (fallback: number) =>
  z.preprocess((value) => (value === '' || value === undefined ? fallback : value), z.coerce.number().int().min(0));
const day = z.preprocess((value) => (value === '' ? undefined : value), daySchema.optional());

const environmentSchema = z.object({
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_PORT: wholeNumber(8787),
  SIM_TOKEN: z.string().min(1).default('dev-token'),
  SIM_REPORTS: wholeNumber(300),
  /** Default: 13 days before SIM_TO, so the range is 14 days. */
  SIM_FROM: day,
  /** Default: today, UTC. */
  SIM_TO: day,
  SIM_SEED: wholeNumber(1),
  /** 0 turns the rate limit off. */
  SIM_RATE_LIMIT: wholeNumber(20),
  SIM_LATENCY_MS: wholeNumber(20),
  /** The latency's 95th percentile (a log-normal tail above the median SIM_LATENCY_MS); 0: none. */
  SIM_LATENCY_P95_MS: wholeNumber(0),
});

export function simulatorOptionsFromEnvironment(
  env: NodeJS.ProcessEnv,
  now: Date = new Date(),
): SimulatorOptions & { dataset: { from: string; to: string } } {
  const vars = parseOrThrow(environmentSchema, env, 'simulator environment');
  const to = vars.SIM_TO ?? dayOf(now.getTime());
  const from = vars.SIM_FROM ?? dayOf((parseDay(to) as number) - (DEFAULT_DAYS - 1) * DAY_MS);
  return {
    host: vars.SIM_HOST,
    port: vars.SIM_PORT,
    token: vars.SIM_TOKEN,
    dataset: { reports: vars.SIM_REPORTS, from, to, seed: vars.SIM_SEED },
    rateLimitPerSecond: vars.SIM_RATE_LIMIT === 0 ? null : vars.SIM_RATE_LIMIT,
    latencyMs: vars.SIM_LATENCY_MS,
    latencyP95Ms: vars.SIM_LATENCY_P95_MS === 0 ? null : vars.SIM_LATENCY_P95_MS,
  };
}
