/** UTC time helpers in the API's formats: days `YYYY-MM-DD`, `Updated_On` `YYYY-MM-DD HH:mm:ss`. */
import { z } from 'zod';

export const DAY_MS = 86_400_000;

/** Midnight UTC of a `YYYY-MM-DD` day in epoch ms, or null when it is not a real calendar day. */
export function parseDay(day: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || dayOf(ms) !== day ? null : ms;
}

/** A `YYYY-MM-DD` string that is a real calendar day. */
export const daySchema = z.string().refine((day) => parseDay(day) !== null, {
  message: "expected a day 'YYYY-MM-DD'",
});

/** The UTC day of an instant. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** An instant as GoAudits writes `Updated_On`: `YYYY-MM-DD HH:mm:ss`, UTC, no zone. */
export function formatUpdatedOn(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** An instant as the pipeline stores it: `YYYY-MM-DDTHH:mm:ssZ`. */
export function formatIsoSecond(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** An instant cut down to the whole second. */
export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
