import { z } from 'zod';
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';
import { describeIssues } from '../shared/zod-issues';
import type { PipelineSettings } from '../shared/settings';
import type { Concurrency } from '../shared/concurrency';

/**
 * What an operator can steer while a run goes on (replacing runbook steps 3 and 5: no env
 * changes, no redeploys, nothing to reset afterwards).
 */
export interface Controls {
  paused: boolean;
  batchSize: number;
  /** A ceiling on the run's details calls in flight, or `auto` (shared/concurrency.ts). */
  concurrency: Concurrency;
  /** This run's own pace towards GoAudits, under the task-queue-wide limit; unset: that limit only. */
  rateLimitPerSecond?: number;
  /** Most GoAudits calls this run makes in a UTC day, then it waits for the next day (or a higher budget); unset: none. */
  maxCallsPerDay?: number;
}

export const tuningSchema = z.strictObject({
  batchSize: z.number().int().min(1).max(1000).optional(),
  concurrency: z.union([z.number().int().min(1).max(64), z.literal('auto')]).optional(),
  rateLimitPerSecond: z.number().positive().max(1000).optional(),
  maxCallsPerDay: z.number().int().min(1).max(100_000_000).optional(),
});
export type Tuning = z.infer<typeof tuningSchema>;

/** A run's first controls: its input's tuning over the worker's settings, running unless `paused`. */
export function initialControls(tuning: Tuning, settings: Pick<PipelineSettings, 'batchSize' | 'concurrency'>, paused = false): Controls {
  return {
    paused,
    batchSize: tuning.batchSize ?? settings.batchSize,
    concurrency: tuning.concurrency ?? settings.concurrency,
    rateLimitPerSecond: tuning.rateLimitPerSecond,
    maxCallsPerDay: tuning.maxCallsPerDay,
  };
}

/** Validated updates: `temporal workflow update execute --name tune --input '{"concurrency":3}'`. */
export const tuneUpdate = defineUpdate<Controls, [Tuning]>('tune');
export const pauseUpdate = defineUpdate<Controls>('pause');
export const resumeUpdate = defineUpdate<Controls>('resume');

/** The live controls of a run. */
export interface LiveControls {
  readonly current: Controls;
  /** Waits while paused: work already started finishes, nothing new starts. */
  unlessPaused(): Promise<void>;
}

export interface ControlHandlers {
  /** Starts steering the run from `initial`; the updates that came earlier apply now, in order. */
  steer(initial: Controls, onChange?: (controls: Controls) => void): LiveControls;
}

/**
 * Installs the control handlers first thing in a workflow, before its first await, so that an
 * update sent as soon as the run starts (a `pause` right after `backfill`) is never refused for
 * want of a handler: it waits until `steer` gives the run's first controls, then applies.
 * `onChange` runs after every change (to refresh the progress shown in the UI).
 */
export function installControls(): ControlHandlers {
  const state: { controls?: Controls; onChange: (controls: Controls) => void } = { onChange: () => undefined };
  const change = async (next: (controls: Controls) => Controls): Promise<Controls> => {
    await condition(() => state.controls !== undefined);
    state.controls = next(state.controls!);
    state.onChange(state.controls);
    return state.controls;
  };
  setHandler(tuneUpdate, (tuning) => change((controls) => ({ ...controls, ...tuning })), {
    validator: (tuning) => {
      const parsed = tuningSchema.safeParse(tuning);
      if (!parsed.success) throw new Error(`invalid tuning: ${describeIssues(parsed.error)}`);
    },
  });
  setHandler(pauseUpdate, () => change((controls) => ({ ...controls, paused: true })));
  setHandler(resumeUpdate, () => change((controls) => ({ ...controls, paused: false })));
  return {
    steer(initial, onChange = () => undefined) {
      state.controls = initial;
      state.onChange = onChange;
      return {
        get current(): Controls {
          return state.controls!;
        },
        async unlessPaused(): Promise<void> {
          await condition(() => !state.controls!.paused);
        },
      };
    },
  };
}
