/** Command-line flags of the bench scripts: `--name value`. */

/** The value after `--name`, or `def` when the flag or its value is absent. */
export function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
}

/** The number after `--name` (NaN when the value is missing), or `def` when the flag is absent. */
export function numArg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
