import type { ProgressEvent } from '../pipeline.js';

/** Step progress on stderr (never stdout, which stays clean for piping). */
export function stepReporter(quiet: boolean): (e: ProgressEvent) => void {
  return (e) => {
    if (quiet) return;
    if (e.phase === 'start') process.stderr.write(`[${e.index + 1}/${e.total}] ${e.step} ...`);
    else process.stderr.write(` done in ${(e.seconds ?? 0).toFixed(2)} s\n`);
  };
}
