import { duplicatesFilter } from './duplicates.js';
import type { FilterFactory } from './factory.js';
import { lengthFilter } from './length.js';
import { roundTripFilter } from './round-trip.js';
import { verbatimFilter } from './verbatim.js';

/** The filters, in the order they run by default (cheapest first; round trip, which searches, last). */
export const filters = {
  length: lengthFilter,
  verbatim: verbatimFilter,
  duplicates: duplicatesFilter,
  roundTrip: roundTripFilter,
} satisfies Record<string, FilterFactory>;

export type FilterName = keyof typeof filters;
export const FILTER_NAMES = Object.keys(filters) as [FilterName, ...FilterName[]];
