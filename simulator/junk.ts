/** Summary rows that are not audits: no usable `ID`, or no parseable `Updated_On`. */
import type { ApiRow } from './rows';
import type { Random } from './random';
import { dayOf, formatUpdatedOn } from './time';

/** A junk row and the day whose summary answers carry it. */
export interface JunkRow {
  day: string;
  row: ApiRow;
}

const KINDS: readonly ((id: string, updatedOn: string) => ApiRow)[] = [
  (_id, updatedOn) => ({ Updated_On: updatedOn }),
  (_id, updatedOn) => ({ ID: '', Updated_On: updatedOn }),
  (_id, updatedOn) => ({ ID: '   ', Updated_On: updatedOn }),
  (id) => ({ ID: id }),
  (id) => ({ ID: id, Updated_On: 'not a date' }),
  (id) => ({ ID: id, Updated_On: '' }),
  (id) => ({ ID: id, Updated_On: null }),
];

/** One junk row per twelve audits, at least one of each kind. */
export function junkCountFor(reports: number): number {
  return Math.max(KINDS.length, Math.ceil(reports / 12));
}

/** Junk rows cycling through the kinds, on random instants of [fromMs, toMs]; ids `X000001`... */
export function planJunkRows(count: number, fromMs: number, toMs: number, random: Random): JunkRow[] {
  return Array.from({ length: count }, (_, index) => {
    const ms = randomSecond(fromMs, toMs, random);
    const kind = KINDS[index % KINDS.length];
    const row = kind(`X${String(index + 1).padStart(6, '0')}`, formatUpdatedOn(ms));
    return { day: dayOf(ms), row: { ...row, Status: 'Completed', Location: 'Unknown', Checklist: 'Unknown' } };
  });
}

/** A whole second within [fromMs, toMs]. */
export function randomSecond(fromMs: number, toMs: number, random: Random): number {
  return fromMs + random.int(0, Math.floor((toMs - fromMs) / 1000)) * 1000;
}
