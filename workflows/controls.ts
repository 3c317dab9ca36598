import { z } from 'zod';
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';
import { describeIssues } from './zod-issues';

/**
 * What an operator can steer while a run goes on (replacing runbook steps 3 and 5: no env
 * changes, no redeploys, nothing to reset afterwards).
 */
export interface Controls {
  paused: boolean;
  batchSize: number;
  concurrency: number;
  /** This run's own pace towards GoAudits, under the task-queue-wide limit; unset: that limit only. */
  rateLimitPerSecond?: number;
}

export const tuningSchema = z.strictObject({
  batchSize: z.number().int().min(1).max(1000).optional(),
  concurrency: z.number().int().min(1).max(16).optional(),
  rateLimitPerSecond: z.number().positive().max(1000).optional(),
});
export type Tuning = z.infer<typeof tuningSchema>;

/** Validated updates: `temporal workflow update execute --name tune --input '{"concurrency":3}'`. */
export const tuneUpdate = defineUpdate<Controls, [Tuning]>('tune');
export const pauseUpdate = defineUpdate<Controls>('pause');
export const resumeUpdate = defineUpdate<Controls>('resume');
/** How a parent passes its controls on to the child that does the work. */
export const controlsSignal = defineSignal<[Controls]>('controls');

/**
 * Installs the control handlers and returns the live controls. `onChange` runs after every
 * change (to pass it on to a child, to refresh the progress shown in the UI).
 */
export function installControls(initial: Controls, onChange: (controls: Controls) => void = () => undefined) {
  const state = { controls: initial };
  const change = (next: Controls) => {
    state.controls = next;
    onChange(next);
    return next;
  };
  setHandler(tuneUpdate, (tuning) => change({ ...state.controls, ...tuning }), {
    validator: (tuning) => {
      const parsed = tuningSchema.safeParse(tuning);
      if (!parsed.success) throw new Error(`invalid tuning: ${describeIssues(parsed.error)}`);
    },
  });
  setHandler(pauseUpdate, () => change({ ...state.controls, paused: true }));
  setHandler(resumeUpdate, () => change({ ...state.controls, paused: false }));
  setHandler(controlsSignal, (controls) => void change(controls));
  return {
    get current(): Controls {
      return state.controls;
    },
    /** Waits while paused: work already started finishes, nothing new starts. */
    async unlessPaused(): Promise<void> {
      await condition(() => !state.controls.paused);
    },
  };
}
