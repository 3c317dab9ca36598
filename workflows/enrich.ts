import { setCurrentDetails, setHandler, setWorkflowOptions, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { FAILING_VISIBLY } from './failing-visibly';
import { noIngestion, type EnrichmentCounts } from '../shared/counts';
import { initialControls, installControls, type ControlHandlers, type LiveControls } from './controls';
import { EnrichmentBatches, noEnrichmentYet } from './enrichment-batches';
import { enrichmentInputSchema, parseInput, type EnrichmentInput } from './inputs';
import { progressQuery } from './messages';
import { pipeline, goAudits } from './activities';
import { callsMade, paceAndEta, progressMarkdown, type Progress } from './progress';
import { ActiveCallRate } from './call-rate';
import { RUN_KIND } from './search-attributes';
import { runLane, type RunLane } from './lane-waits';
import { runPriority } from '../shared/lane-caller';
import { ENRICHMENT_JOB } from '../shared/jobs';
import type { PipelineSettings } from '../shared/settings';

export interface EnrichmentResult {
  runId: string;
  counts: EnrichmentCounts;
}

/**
 * The enrichment sweep: the reports still pending (no answers or no certificate, not yet in the
 * ledger, or asked to be refreshed), or exactly the given ones, enriched in a sliding window of
 * batches (see enrichment-batches.ts). Batch size, concurrency, pace and pause can change while it runs.
 */
export async function enrichmentWorkflow(rawInput?: EnrichmentInput): Promise<EnrichmentResult> {
  const input = parseInput(enrichmentInputSchema, rawInput, 'enrichment');
  const handlers = installControls();
  const startedAtUtc = new Date().toISOString();
  const settings = await pipeline.pipelineSettings();
  return new EnrichmentSweep(input, settings, handlers, startedAtUtc).run();
}

class EnrichmentSweep {
  private readonly rate = new ActiveCallRate();
  private readonly controls: LiveControls;
  private readonly batches: EnrichmentBatches;
  private readonly lane: RunLane;

  constructor(
    private readonly input: EnrichmentInput,
    private readonly settings: PipelineSettings,
    handlers: ControlHandlers,
    private readonly startedAtUtc: string,
  ) {
    this.controls = handlers.steer(initialControls(input, settings, input.paused), () => this.publish());
    this.lane = runLane('enrichment', this.controls);
    const api = goAudits(settings, runPriority('enrichment'));
    this.batches = new EnrichmentBatches(api, this.controls, noEnrichmentYet(), () => this.publish(), undefined, undefined, this.lane);
    setHandler(progressQuery, () => this.progress());
    if (!workflowInfo().parent) upsertSearchAttributes([{ key: RUN_KIND, value: 'enrichment' }]);
  }

  /**
   * Opens the GoAuditsEnrichment row (closing rows earlier runs left open), enriches the given or
   * pending reports, and closes the row the way the run ended.
   */
  async run(): Promise<EnrichmentResult> {
    const run = await this.batches.openRun();
    await pipeline.closeOrphanedRuns({ job: ENRICHMENT_JOB, by: run });
    await pipeline.retestRefusedToken();
    try {
      this.batches.add(this.input.reportIds ?? (await pipeline.pendingEnrichment(this.input.limit ?? this.settings.sweepLimit)));
      await this.batches.drain('all');
    } catch (error) {
      throw await this.batches.close(error);
    }
    await this.batches.close();
    return { runId: run.runId, counts: this.batches.counts };
  }

  private progress(): Progress {
    const counts = this.batches.countsSoFar;
    return {
      kind: 'enrichment',
      windowsDone: 0,
      windowsTotal: 0,
      ingestion: noIngestion(),
      enrichment: counts,
      queued: this.batches.cursor.queued.length,
      batchesRunning: this.batches.batchesRunning,
      controls: this.controls.current,
      startedAtUtc: this.startedAtUtc,
      ...paceAndEta({
        nowMs: Date.now(),
        rate: this.rate,
        limitPerSecond: Math.min(this.settings.laneCallsPerSecond, this.controls.current.rateLimitPerSecond ?? Infinity),
        paused: this.controls.current.paused,
        laneWait: this.lane.waits.current,
        windowsDone: 0,
        windowsTotal: 0,
        enrichment: counts,
      }),
    };
  }

  /** Current details, so the Web UI shows where the sweep is. */
  private publish() {
    // A paused sweep still runs while its batches finish.
    const running = (!this.controls.current.paused || this.batches.batchesRunning > 0) && !this.lane.waits.current;
    this.rate.record(Date.now(), callsMade(noIngestion(), this.batches.countsSoFar), running);
    setCurrentDetails(progressMarkdown(this.progress()));
  }
}

setWorkflowOptions(FAILING_VISIBLY, enrichmentWorkflow);
