import { MultiBar, type SingleBar } from 'cli-progress';
import type { Progress } from '../workflows/progress';
import { lineDue, phaseOf, progressLine, progressPicture, type PhaseBar, type Shown } from './run-progress';
import { jsonLog } from '../worker/process-log';

/** A run's progress as the fields of a log record. */
const progressFields = ({
  kind,
  windowsDone,
  windowsTotal,
  ingestion,
  enrichment,
  queued,
  batchesRunning,
  callsPerSecond,
  etaUtc,
}: Progress) => ({
  kind,
  windowsDone,
  windowsTotal,
  ingested: ingestion.ingested,
  enriched: enrichment.processed,
  failed: enrichment.failedCount,
  queued,
  batchesRunning,
  callsPerSecond,
  etaUtc,
});

/** Where the progress of the runs a command follows is shown. */
export interface ProgressView {
  /** The latest progress of the run `runId` (a workflow id) names. */
  show(runId: string, progress: Progress): void;
  /** A line above the progress (a run that does not answer yet). */
  note(line: string): void;
  /** Stops drawing; the terminal is left as it was, with the last progress shown. */
  stop(): void;
}

/**
 * Bars redrawn in place about once a second on a terminal; elsewhere (CI, a log, a pipe), or
 * with `plain`, one plain line per run every few seconds and at each change of phase. With
 * `titles`, each run is named by its workflow id (for `status --watch`, which follows several).
 */
export function progressView(stream: NodeJS.WriteStream, options: { titles: boolean; plain?: boolean }): ProgressView {
  return stream.isTTY && !options.plain ? new ProgressBars(stream, options.titles) : new ProgressLines(stream, options.titles);
}

/** A run's lines on the terminal: its title, a bar per phase, its pace. */
interface RunBars {
  title: SingleBar;
  phases: Map<PhaseBar['name'], SingleBar>;
  pace: SingleBar;
}

/** A line with no bar, only text. */
const TEXT_LINE = { format: '{text}' };

class ProgressBars implements ProgressView {
  private readonly bars: MultiBar;
  private readonly runs = new Map<string, RunBars>();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly titles: boolean,
  ) {
    this.bars = new MultiBar({
      stream,
      fps: 1,
      barsize: 20,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      hideCursor: true,
      format: '  {name} {bar} {value}/{total}  {detail}',
    });
  }

  show(runId: string, progress: Progress): void {
    const picture = progressPicture(progress, Date.now());
    const title = this.titles ? `${runId}: ${picture.title}` : picture.title;
    const run = this.runs.get(runId) ?? this.add(runId, picture.bars);
    run.title.update({ text: title });
    for (const bar of picture.bars) {
      const shown = run.phases.get(bar.name);
      shown?.setTotal(bar.total);
      shown?.update(bar.value, { detail: bar.detail });
    }
    run.pace.update({ text: `  ${picture.pace}` });
  }

  /** Above the bars once they are drawn (they print it at their next redraw); before, at once. */
  note(line: string): void {
    if (this.runs.size > 0) this.bars.log(`${line}\n`);
    else this.stream.write(`${line}\n`);
  }

  stop(): void {
    if (this.runs.size > 0) this.bars.stop();
  }

  private add(runId: string, phases: PhaseBar[]): RunBars {
    const run: RunBars = {
      title: this.bars.create(0, 0, { text: '' }, TEXT_LINE),
      phases: new Map(phases.map((bar) => [bar.name, this.bars.create(bar.total, bar.value, { name: bar.name, detail: '' })])),
      pace: this.bars.create(0, 0, { text: '' }, TEXT_LINE),
    };
    this.runs.set(runId, run);
    return run;
  }
}

class ProgressLines implements ProgressView {
  private readonly shown = new Map<string, Shown>();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly titles: boolean,
  ) {}

  show(runId: string, progress: Progress): void {
    const now = { atMs: Date.now(), phase: phaseOf(progress) };
    if (!lineDue(this.shown.get(runId), now)) return;
    this.shown.set(runId, now);
    const line = progressLine(progressPicture(progress, now.atMs));
    // In a JSON log, one record: the line as its message, the run and its counts as fields.
    const log = jsonLog();
    if (log) log.always.info({ workflowId: runId, phase: now.phase, ...progressFields(progress) }, line);
    else this.note(`${this.titles ? `${runId}: ` : ''}${line}`);
  }

  note(line: string): void {
    const log = jsonLog();
    if (log) log.logger.warn(line);
    else this.stream.write(`${line}\n`);
  }

  stop(): void {}
}
