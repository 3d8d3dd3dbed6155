/** The index of `s` in `list`, appending it (and recording it in `map`) the first time it is seen. */
export function intern(map: Map<string, number>, list: string[], s: string): number {
  let i = map.get(s);
  if (i === undefined) {
    i = list.length;
    list.push(s);
    map.set(s, i);
  }
  return i;
}
