/**
 * The simulated GoAudits account: audits generated deterministically from a seed, the raw rows
 * the API answers with, and the truth the pipeline must end up storing.
 */
import { z } from 'zod';
import {
  auditsShape,
  deleteRequestSchema,
  exactlyOneOfIdsAndCount,
  reopenRequestSchema,
  silentEditRequestSchema,
  type DeleteRequest,
  type ReopenRequest,
  type SilentEditRequest,
} from './audit-requests';
import { editAudit, editAuditSilently, whyNotEditable } from './edit';
import { planJunkRows, junkCountFor, randomSecond, type JunkRow } from './junk';
import { planAudit, sample, statusOf, type AuditPlan } from './plan';
import { createRandom, type Random } from './random';
import { detailsRowsOf, summaryRowsOf, type ApiRow } from './rows';
import { DAY_MS, dayOf, daySchema, floorToSecond, parseDay } from './time';
import { truthOf, type Truth } from './truth';
import { parseOrThrow, ValidationError } from './validate';

export type { TruthReport, Truth } from './truth';
export type { ApiRow } from './rows';
export type { DeleteRequest, ReopenRequest, SilentEditRequest } from './audit-requests';

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

/** An edit request whose `at` is read by `atSchema`; exactly one of `ids` and `count` (editable audits). */
export function editRequestSchemaWith<At extends z.ZodType<Date | undefined>>(atSchema: At) {
  return z
    .strictObject({
      ...auditsShape,
      /** False when the edit leaves `Updated_On` as it was. */
      moveUpdatedOn: z.boolean().default(true),
      at: atSchema,
    })
    .refine(...exactlyOneOfIdsAndCount);
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
  /**
   * Deletes audits (by ids any audit, by count Completed ones): they leave the summary, the truth
   * and the details (answered `[]`, as for an unknown id). Returns their ids; throws a
   * ValidationError naming an unknown id or a count above the Completed audits.
   */
  deleteReports(request: DeleteRequest): string[];
  /**
   * Turns Completed audits back to an open status (`In Progress` by default): the summary lists
   * them for that status only, the truth leaves them, the details still answer. Returns their ids.
   */
  reopenReports(request: ReopenRequest): string[];
  /**
   * Edits audits without a trace in the summary (see editAuditSilently): `Updated_On` and every
   * summary field stay; the answers and/or the certificate change, and the truth follows.
   * Returns their ids; throws like editReports.
   */
  editReportsSilently(request: SilentEditRequest): string[];
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
  /** Ids of deleted audits: their plans stay (an added audit never takes a deleted one's id), unseen. */
  const deleted = new Set<string>();
  const auditOf = (id: string): AuditPlan | undefined => (deleted.has(id) ? undefined : audits[indexById.get(id) ?? -1]);
  const live = () => (deleted.size === 0 ? audits : audits.filter((audit) => !deleted.has(audit.id)));
  /** The audits a request names (each must exist and be eligible) or `count` eligible ones at random; `why` says why one is not. */
  const choose = (
    { ids, count }: { ids?: string[]; count?: number },
    why: (audit: AuditPlan) => string | undefined,
    verb: string,
    what: string,
  ): string[] =>
    ids === undefined
      ? pickAudits(live(), count as number, why, verb, what, random)
      : ids.map((id) => checkAudit(id, auditOf(id), why, verb, what));
  /** Replaces each named audit's plan by what `changed` makes of it; returns the ids. */
  const change = (ids: string[], changed: (audit: AuditPlan) => AuditPlan) => {
    for (const id of ids) {
      const index = indexById.get(id) as number;
      audits[index] = changed(audits[index]);
    }
    return ids;
  };
  return {
    summaryRows: (query) => summaryRows(live(), junk, query),
    detailsRows: (auditId) => {
      const audit = auditOf(auditId);
      return audit ? detailsRowsOf(audit) : [];
    },
    truth: () => ({
      reports: live()
        .filter((audit) => audit.status === 'Completed')
        .map(truthOf),
    }),
    addReports: (count, on) => {
      parseOrThrow(z.number().int().min(0).max(100_000), count, 'report count');
      const added = Array.from({ length: count }, (_, k) => planAudit(audits.length + k, addedInstant(on, random), 'Completed', random));
      for (const audit of added) indexById.set(audit.id, audits.push(audit) - 1);
      return added.map((audit) => audit.id);
    },
    editReports: (request) => {
      const { at = new Date(), moveUpdatedOn, ...which } = parseOrThrow(editRequestSchema, request, 'edit request');
      const chosen = choose(which, whyNotEditable, 'edited', 'edit request');
      return change(chosen, (audit) => editAudit(audit, { atMs: at.getTime(), moveUpdatedOn }, random));
    },
    deleteReports: (request) => {
      const which = parseOrThrow(deleteRequestSchema, request, 'delete request');
      const chosen = choose(which, which.ids === undefined ? whyNotCompleted : () => undefined, 'deleted', 'delete request');
      for (const id of chosen) deleted.add(id);
      return chosen;
    },
    reopenReports: (request) => {
      const { status, ...which } = parseOrThrow(reopenRequestSchema, request, 'reopen request');
      return change(choose(which, whyNotCompleted, 'reopened', 'reopen request'), (audit) => ({ ...audit, status }));
    },
    editReportsSilently: (request) => {
      const { change: changes, ...which } = parseOrThrow(silentEditRequestSchema, request, 'silent edit request');
      const chosen = choose(which, whyNotEditable, 'edited', 'silent edit request');
      return change(chosen, (audit) => editAuditSilently(audit, changes, random));
    },
  };
}

/** Why the audit is not Completed, or undefined when it is. */
function whyNotCompleted(audit: AuditPlan): string | undefined {
  return audit.status === 'Completed' ? undefined : `its status is ${audit.status}`;
}

/** The id when its audit exists and `why` finds nothing against it; otherwise a ValidationError saying why not. */
function checkAudit(
  id: string,
  audit: AuditPlan | undefined,
  why: (audit: AuditPlan) => string | undefined,
  verb: string,
  what: string,
): string {
  const reason = audit === undefined ? 'no such audit' : why(audit);
  if (reason !== undefined) throw new ValidationError(`Invalid ${what}: ids: ${id} cannot be ${verb}: ${reason}`);
  return id;
}

/** The ids of `count` distinct audits `why` finds nothing against, picked at random. */
function pickAudits(
  audits: AuditPlan[],
  count: number,
  why: (audit: AuditPlan) => string | undefined,
  verb: string,
  what: string,
  random: Random,
): string[] {
  const eligible = audits.filter((audit) => why(audit) === undefined);
  if (eligible.length < count) {
    throw new ValidationError(`Invalid ${what}: count: ${count} asked, but only ${eligible.length} audits can be ${verb}`);
  }
  return sample(eligible, count, random).map((audit) => audit.id);
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
