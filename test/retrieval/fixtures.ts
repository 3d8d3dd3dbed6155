import { createRng } from '../../src/util/rng.js';

/**
 * `rows` unit vectors of `dim` dimensions around `clusters` seeded centres (the same centres for
 * every call with the same `centreSeed`), each a centre plus `spread` x Gaussian noise, normalised.
 */
export function clusteredVectors(rows: number, seed: number, o: { dim: number; clusters: number; spread: number; centreSeed: number }): Float32Array {
  const { dim } = o;
  const r = createRng(seed);
  const cr = createRng(o.centreSeed);
  const centres = Float32Array.from({ length: o.clusters * dim }, () => cr.normal());
  const a = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    const c = r.int(o.clusters);
    let s = 0;
    for (let j = 0; j < dim; j++) s += (a[i * dim + j] = centres[c * dim + j]! + o.spread * r.normal()) ** 2;
    for (let j = 0; j < dim; j++) a[i * dim + j]! /= Math.sqrt(s);
  }
  return a;
}
