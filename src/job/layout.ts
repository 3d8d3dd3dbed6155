/**
 * The outputs of a job's event level: what it writes as Parquet under its output folder, one
 * `<name>.parquet` per relation (a file from DuckDB, a folder of part files from Spark), and the
 * manifest that names them with their columns and the schema version.
 */
import { evidenceRelations } from '../stages/evidence/evidence.js';
import { sessionRelations } from '../stages/sessions/sessions.js';
import type { Relation } from '../db/relation.js';
import { BIAS_OUTPUTS } from './steps.js';
import { JOB_COUNTS } from './counts.js';

/** Bumped when an output's columns or meaning change. */
export const JOB_SCHEMA_VERSION = 1;

/** The relations a job writes, in this order. */
export function jobOutputs(): readonly Relation[] {
  const s = sessionRelations();
  const e = evidenceRelations();
  return [s.queryNorms, s.serpFacts, s.reformulationPairs, s.reformulations, s.conversionLinks, s.sessionClicks, e.clickFacts, e.evidence,
    BIAS_OUTPUTS.counts, BIAS_OUTPUTS.foldPages, JOB_COUNTS];
}

/** The manifest of a job's outputs as a runner writes it. */
export interface JobManifest {
  readonly schemaVersion: number;
  readonly engine: string;
  readonly outputs: Readonly<Record<string, { readonly file: string; readonly rows: number; readonly columns: readonly { readonly name: string; readonly type: string }[] }>>;
}
