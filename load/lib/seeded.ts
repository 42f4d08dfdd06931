/**
 * What the scripts assume the table holds when nothing else is said: the 20 pets of
 * `seed/pets.json` (a jest test proves these defaults match it). Against another data set, pass
 * `-e PET_IDS=1-500 -e PET_TYPES=dog,cat`.
 *
 * This module imports nothing, so k6 and Node share it.
 */
export const DEFAULT_PET_IDS = '1-20';
export const DEFAULT_PET_TYPES = ['dog', 'cat', 'fish', 'bird', 'rabbit', 'hamster', 'turtle', 'lizard'];

/** `1-20`, `3,5,8` or `1-5,9`: the ids the `get` route asks for. */
export function parseIdList(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.split(',').map((item) => item.trim())) {
    if (part === '') continue;
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (from < 1 || to < from || to - from >= 100_000) {
        throw new Error(
          `id range '${part}' must be ascending, start at 1 or more, and span at most 100000 ids`,
        );
      }
      for (let id = from; id <= to; id += 1) ids.push(id);
    } else if (/^\d+$/.test(part) && Number(part) >= 1) {
      ids.push(Number(part));
    } else {
      throw new Error(`'${part}' is not a pet id (a whole number ≥ 1) or a range like 1-20`);
    }
  }
  if (ids.length === 0) throw new Error(`no pet ids in '${text}'`);
  return ids;
}
