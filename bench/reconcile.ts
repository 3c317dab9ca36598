/**
 * What a reconcile costs: calls per day reconciled at each level, and the time of a reconcile of
 * the last N days at a rate limit, side by side with a plain script making the same calls.
 *
 * One command: a dev server, the simulator (N days before today), an in-process worker; the range
 * ingested first (not timed), then reconciles at summary level, with a details sample of 5 per
 * day, and with every report's details; then the plain script (bench/plain-calls.ts: one summary
 * call per day and one details call per audit, at the limit, no Temporal, no store) as the baseline.
 *
 *   npx tsx bench/reconcile.ts                          # 30 days, 600 reports, limit 10 (the default rate)
 *   npx tsx bench/reconcile.ts --days 30 --reports 3000 --limit 10
 */
import { parseArgs } from 'node:util';
import { TestServer } from '../test/harness';
import { plainCalls } from './plain-calls';
import { utcDate, planWindows } from '../shared/plan';
import { ingestionWorkflow, reconcileWorkflow } from '../workflows';
import type { ReconcileResult } from '../workflows/reconcile';

const { values } = parseArgs({
  options: {
    reports: { type: 'string', default: '600' },
    days: { type: 'string', default: '30' },
    limit: { type: 'string', default: '10' },
    latency: { type: 'string', default: '20' },
  },
});
const days = Number(values.days);
const limit = Number(values.limit);
const from = utcDate(Date.now() - days * 86_400_000);
const to = utcDate(Date.now() - 86_400_000);
const round = (value: number) => Math.round(value * 100) / 100;

async function main() {
  const server = await TestServer.start();
  const pipeline = await server.pipeline({
    simulator: { dataset: { reports: Number(values.reports), from, to, seed: 1 }, latencyMs: Number(values.latency) },
    env: {
      GOAUDITS_START_DATE: from,
      GOAUDITS_END_DATE: to,
      GOAUDITS_RATE_LIMIT_PER_SECOND: String(limit),
      GOAUDITS_QUARANTINE_AFTER: '1',
    },
  });
  try {
    await pipeline.execute(ingestionWorkflow);
    const levels: (number | 'all')[] = [0, 5, 'all'];
    const reconciles = [];
    for (const details of levels) {
      pipeline.simulator.resetCounters();
      const started = performance.now();
      const result = await pipeline.execute<ReconcileResult>(reconcileWorkflow, { from, to, details });
      const seconds = (performance.now() - started) / 1000;
      const calls = pipeline.simulator.counters().requests;
      reconciles.push({
        details,
        identical: result.identical,
        summaryCalls: result.calls.summary,
        detailsCalls: result.calls.details,
        callsPerDay: round(calls / days),
        seconds: round(seconds),
        vsFloor: round(seconds / (calls / limit)),
      });
    }
    const { token } = { token: pipeline.tokenEnv.GOAUDITS_BEARER_TOKEN };
    const plain = await plainCalls(
      { ...pipeline.simulator, token },
      planWindows({ from, to, windowDays: 1 }).map((w) => w.startDate),
      {
        limitPerSecond: limit,
        concurrency: 1,
      },
    );
    const all = reconciles[reconciles.length - 1];
    console.log(
      JSON.stringify(
        {
          data: { days, from, to, reports: pipeline.count('GoAuditsReports'), limitPerSecond: limit },
          reconciles,
          plain: { calls: plain.calls, seconds: round(plain.seconds), vsFloor: round(plain.seconds / (plain.calls / limit)) },
          allDetailsVsPlain: round(all.seconds / plain.seconds),
        },
        null,
        2,
      ),
    );
  } finally {
    await pipeline.stop();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
