import { ApplicationFailure, condition, workflowInfo } from '@temporalio/workflow';
import { LANE_WAIT, runPriority, type LaneCaller, type LaneWaitInfo, type RunKindName } from '../shared/lane-caller';
import type { Controls } from './controls';

/**
 * A run's place in the call lane: who its calls are for (its kind's priority; its workflow id,
 * the same across continue-as-new, as the key its budget is counted under; its budget) and where
 * its callers wait when the lane sends the run away.
 */
export interface RunLane {
  caller: () => LaneCaller;
  waits: LaneWaits;
}

export function runLane(kind: RunKindName, controls: { readonly current: Controls }): RunLane {
  const runKey = workflowInfo().workflowId;
  return {
    caller: () => ({ priority: runPriority(kind), runKey, maxCallsPerDay: controls.current.maxCallsPerDay }),
    waits: new LaneWaits(controls),
  };
}

/** The wait a summary window's activity failed with (type GoAuditsLaneWait), if it did. */
export function laneWaitOf(error: unknown): LaneWaitInfo | undefined {
  const failure = error instanceof Error && error.cause instanceof ApplicationFailure ? error.cause : error;
  if (!(failure instanceof ApplicationFailure) || failure.type !== LANE_WAIT) return undefined;
  return failure.details?.[0] as LaneWaitInfo | undefined;
}

/**
 * A run's waits for the call lane: its budget for the day spent, or GoAudits' quota. The run's
 * callers (the window reader, the batches) wait here, and its progress shows the wait. A budget
 * wait ends at the next budget day, or as soon as `tune` changes the budget; a quota wait when
 * GoAudits' Retry-After ends. Never a failure: the run goes on afterwards.
 */
export class LaneWaits {
  private waiting = 0;
  private shown: LaneWaitInfo | undefined;

  constructor(private readonly controls: { readonly current: Controls }) {}

  /** The wait under way, for progress; none once every caller is back. */
  get current(): LaneWaitInfo | undefined {
    return this.waiting > 0 ? this.shown : undefined;
  }

  /** Waits out `wait` (with `changed` told when it starts and ends). */
  async waitOut(wait: LaneWaitInfo, changed: () => void): Promise<void> {
    this.waiting++;
    this.shown = wait;
    changed();
    try {
      const budget = this.controls.current.maxCallsPerDay;
      const retuned = () => wait.reason === 'budget' && this.controls.current.maxCallsPerDay !== budget;
      const ms = wait.untilMs - Date.now();
      if (ms > 0) await condition(retuned, ms);
    } finally {
      this.waiting--;
      changed();
    }
  }
}
