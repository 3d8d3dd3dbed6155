/**
 * Labels at work: the do-no-harm checks of every build that has labels, and the calibration fit
 * of `clickforge calibrate` (`calibration.fit`). Applying a fitted calibration is apply.ts.
 *
 * ## Input
 * The relations of `LabelCheckInput` (labels, graded evidence and what its calibration features
 * are computed from, or the features applyCalibration built), the build's families, positives and
 * training records.
 * ## Output
 * The `doNoHarm` section with its warnings; with `fit`, the calibration file (calibration.json).
 * ## Example
 * ```ts
 * const { harm, calibration } = await checkAgainstLabels(conn, { labels, evidence, clickFacts, sessionClicks, serpFacts }, { familyOf, positives, records, gradingRule }, options, seed);
 * ```
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryNumber } from '../../db/duckdb.js';
import type { Labels } from '../ingest/relations.js';
import type { PositivePair, StageStats } from '../../types.js';
import type { TrainingRecord } from '../negatives/types.js';
import { buildCalibrationFeatures, type CalibrationFeatureInput, type CalibrationFeatures } from './features.js';
import { fitCalibration } from './fit.js';
import { doNoHarm, unjudgedNegatives, type DoNoHarmSection } from './harm.js';
import { labelledPairs } from './labelled.js';
import type { CalibrationFile, CalibrationOptions } from './options.js';

export interface LabelChecks {
  readonly harm: DoNoHarmSection;
  readonly calibration: CalibrationFile | null;
  readonly stats: StageStats;
}

/** What the label checks read: the labels, and the calibration features (or what they are computed from). */
export interface LabelCheckInput extends CalibrationFeatureInput {
  readonly labels: Labels;
  /** This evidence's calibration features when applyCalibration built them; else they are built here. */
  readonly features?: CalibrationFeatures;
}

/** Null when the build has no labels. */
export async function checkAgainstLabels(
  conn: DuckDBConnection,
  rels: LabelCheckInput,
  input: {
    readonly familyOf: ReadonlyMap<string, string>;
    readonly positives: readonly PositivePair[];
    readonly records: readonly TrainingRecord[];
    readonly gradingRule: string;
  },
  o: CalibrationOptions,
  seed: number,
): Promise<LabelChecks | null> {
  const t0 = performance.now();
  if ((await queryNumber(conn, `SELECT count(*) FROM ${rels.labels.name}`)) === 0) return null;
  const features = rels.features ?? (await buildCalibrationFeatures(conn, rels));
  const pairs = await labelledPairs(conn, { labels: rels.labels, clickFacts: rels.clickFacts, features }, input);
  const harm = doNoHarm(pairs, { minJudged: o.minJudged, gradingRule: input.gradingRule, unjudgedNegatives: unjudgedNegatives(pairs, input.records) });
  const calibration = o.fit ? fitCalibration(pairs, o, seed) : null;
  return {
    harm,
    calibration,
    stats: {
      stage: 'calibration',
      in: { labelled_pairs: pairs.length },
      out: { labelled_pairs: harm.labelledPairs, ...(calibration ? { fitted_on: calibration.labels.pairs } : {}) },
      dropped: { 'labelled_pairs.never_shown': harm.unshownPairs },
      notes: [
        `${harm.warnings.length} do-no-harm warning${harm.warnings.length === 1 ? '' : 's'} from the labels.`,
        ...(calibration ? [`calibration fitted on ${calibration.labels.pairs} labelled pairs of ${calibration.labels.families} families (${calibration.labels.folds} folds; l2 ${calibration.models.clicked.l2} clicked, ${calibration.models.unclicked.l2} unclicked).`] : []),
      ],
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
