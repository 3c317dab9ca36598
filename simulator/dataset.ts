/**
 * The simulated GoAudits account: audits generated deterministically from a seed, the raw rows
 * the API answers with, and the truth the pipeline must end up storing.
 */
import { z } from 'zod';
import { editAudit, whyNotEditable } from './edit';
import { planJunkRows, junkCountFor, randomSecond, type JunkRow } from './junk';
import { planAudit, sample, statusOf, type AuditPlan } from './plan';
import { createRandom, type Random } from './random';
import { detailsRowsOf, summaryRowsOf, type ApiRow } from './rows';
import { DAY_MS, dayOf, daySchema, floorToSecond, parseDay } from './time';
import { truthOf, type Truth } from './truth';
import { parseOrThrow, ValidationError } from './validate';

export type { TruthReport, Truth } from './truth';
export type { ApiRow } from './rows';

export const datasetSpecSchema = z
  .strictObject({
    /** How many audits to generate (all statuses). */
    reports: z.number().int().min(1).max(200_000),
    /** First day of `Updated_On`, UTC. */
    from: daySchema,
    /** Last day of `Updated_On`, UTC, inclusive. */
    to: daySchema,
    seed: z.number().int().default(1),
  })
  .refine((spec) => spec.from <= spec.to, { message: 'must not be before from', path: ['to'] });

export type DatasetSpec = z.input<typeof datasetSpecSchema>;

/** The fields of an edit request but `at`, whose form depends on the caller. */
const editRequestShape = {
  /** These audits, in this order. */
  ids: z.array(z.string().min(1)).min(1).optional(),
  /** This many distinct audits picked at random among the editable ones. */
  count: z.number().int().min(1).optional(),
  /** False when the edit leaves `Updated_On` as it was. */
  moveUpdatedOn: z.boolean().default(true),
};

/** An edit request whose `at` is read by `atSchema`; exactly one of `ids` and `count`. */
export function editRequestSchemaWith<At extends z.ZodType<Date | undefined>>(atSchema: At) {
  return z
    .strictObject({ ...editRequestShape, at: atSchema })
    .refine((request) => (request.ids === undefined) !== (request.count === undefined), {
      message: 'give exactly one of ids and count',
    });
}

const editRequestSchema = editRequestSchemaWith(z.date().optional());

/** Which audits to edit, when (now, by default), and whether `Updated_On` moves to then (it does, by default). */
export type EditRequest = z.input<typeof editRequestSchema>;

/** What a summary call selects: `Updated_On` dates in [startDate, endDate] and this status. */
export interface SummaryQuery {
  startDate: string;
  endDate: string;
  status: string;
}

export interface Dataset {
  /** The summary answer: every matching audit's rows (duplicates included) and the junk rows of those days. */
  summaryRows(query: SummaryQuery): ApiRow[];
  /** The details answer for an audit id; `[]` when unknown. */
  detailsRows(auditId: string): ApiRow[];
  /** One report per real Completed audit. */
  truth(): Truth;
  /**
   * Appends `count` Completed audits with the next ids: all at the second of `on` when a Date,
   * spread over the day when `YYYY-MM-DD`. Returns their ids.
   */
  addReports(count: number, on: Date | string): string[];
  /**
   * Edits Completed audits as a user would (see edit.ts) and returns their ids in the order edited.
   * Throws a ValidationError naming an unknown or uneditable id, or a count above the editable audits.
   */
  editReports(request: EditRequest): string[];
}

/**
 * Audits 0 and 1 sit on the range's first and last second; one audit in 25 shares the previous
 * audit's second; the rest are spread at random over the range.
 */
export function generateDataset(spec: DatasetSpec): Dataset {
  const { reports, from, to, seed } = parseOrThrow(datasetSpecSchema, spec, 'dataset');
  const random = createRandom(seed);
  const fromMs = parseDay(from) as number;
  const toMs = (parseDay(to) as number) + DAY_MS - 1000;
  const audits: AuditPlan[] = [];
  for (let index = 0; index < reports; index += 1) {
    const previous = audits[index - 1];
    const ms =
      index === 0 ? fromMs : index === 1 ? toMs : index % 25 === 24 && previous ? previous.updatedOnMs : randomSecond(fromMs, toMs, random);
    audits.push(planAudit(index, ms, statusOf(index), random));
  }
  const junk = planJunkRows(junkCountFor(reports), fromMs, toMs, random);
  return datasetOf(audits, junk, random);
}

function datasetOf(audits: AuditPlan[], junk: JunkRow[], random: Random): Dataset {
  const indexById = new Map(audits.map((audit, index) => [audit.id, index]));
  const auditOf = (id: string): AuditPlan | undefined => audits[indexById.get(id) ?? -1];
  return {
    summaryRows: (query) => summaryRows(audits, junk, query),
    detailsRows: (auditId) => {
      const audit = auditOf(auditId);
      return audit ? detailsRowsOf(audit) : [];
    },
    truth: () => ({ reports: audits.filter((audit) => audit.status === 'Completed').map(truthOf) }),
    addReports: (count, on) => {
      parseOrThrow(z.number().int().min(0).max(100_000), count, 'report count');
      const added = Array.from({ length: count }, (_, k) => planAudit(audits.length + k, addedInstant(on, random), 'Completed', random));
      for (const audit of added) indexById.set(audit.id, audits.push(audit) - 1);
      return added.map((audit) => audit.id);
    },
    editReports: (request) => {
      const { ids, count, at = new Date(), moveUpdatedOn } = parseOrThrow(editRequestSchema, request, 'edit request');
      const chosen = ids === undefined ? pickEditable(audits, count as number, random) : ids.map((id) => checkEditable(id, auditOf(id)));
      for (const id of chosen) {
        const index = indexById.get(id) as number;
        audits[index] = editAudit(audits[index], { atMs: at.getTime(), moveUpdatedOn }, random);
      }
      return chosen;
    },
  };
}

/** The id when its audit exists and is editable; otherwise a ValidationError saying why not. */
function checkEditable(id: string, audit: AuditPlan | undefined): string {
  const reason = audit === undefined ? 'no such audit' : whyNotEditable(audit);
  if (reason !== undefined) throw new ValidationError(`Invalid edit request: ids: ${id} cannot be edited: ${reason}`);
  return id;
}

/** The ids of `count` distinct editable audits, picked at random. */
function pickEditable(audits: AuditPlan[], count: number, random: Random): string[] {
  const editable = audits.filter((audit) => whyNotEditable(audit) === undefined);
  if (editable.length < count) {
    throw new ValidationError(`Invalid edit request: count: ${count} asked, but only ${editable.length} audits can be edited`);
  }
  return sample(editable, count, random).map((audit) => audit.id);
}

function addedInstant(on: Date | string, random: Random): number {
  if (on instanceof Date) return floorToSecond(on.getTime());
  parseOrThrow(daySchema, on, 'report day');
  const dayMs = parseDay(on) as number;
  return randomSecond(dayMs, dayMs + DAY_MS - 1000, random);
}

/** Matching rows ordered by day; within a day, audits by id, then junk. */
function summaryRows(audits: AuditPlan[], junk: JunkRow[], { startDate, endDate, status }: SummaryQuery): ApiRow[] {
  const inRange = (day: string): boolean => day >= startDate && day <= endDate;
  const auditEntries = audits
    .filter((audit) => audit.status === status && inRange(dayOf(audit.updatedOnMs)))
    .map((audit) => ({ day: dayOf(audit.updatedOnMs), rows: summaryRowsOf(audit) }));
  const junkEntries = junk
    .filter((entry) => entry.row.Status === status && inRange(entry.day))
    .map((entry) => ({ day: entry.day, rows: [{ ...entry.row }] }));
  return [...auditEntries, ...junkEntries].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)).flatMap((entry) => entry.rows);
}
