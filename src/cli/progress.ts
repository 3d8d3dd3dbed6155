import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../pipeline.js';

/**
 * Step progress on stderr (stdout stays clean for piping): a progress bar over the pipeline's
 * steps on a terminal, one line per finished step otherwise (CI logs, files).
 */
export function stepReporter(quiet: boolean): (e: ProgressEvent) => void {
  if (quiet) return () => {};
  if (process.stderr.isTTY) {
    let bar: cliProgress.SingleBar | undefined;
    return (e) => {
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: ' {bar} {value}/{total} {step} {duration_formatted}', hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        bar.start(e.total, 0, { step: e.step });
      }
      if (e.phase === 'start') bar.update(e.index, { step: `${e.step} ...` });
      else {
        bar.update(e.index + 1, { step: `${e.step} done` });
        if (e.index + 1 === e.total) bar.stop();
      }
    };
  }
  return (e) => {
    if (e.phase === 'start') process.stderr.write(`[${e.index + 1}/${e.total}] ${e.step} ...`);
    else process.stderr.write(` done in ${(e.seconds ?? 0).toFixed(2)} s\n`);
  };
}
