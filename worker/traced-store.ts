import { trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { ENRICHMENT_JOB, INGESTION_JOB } from '../shared/jobs';
import type { Store } from '../activities/store/store';
import { inSpan } from './in-span';

/**
 * The store with a span per call, each one transaction (`store saveSummaryWindow`, `store
 * saveReportDetails`, the call lane's `store reserveApiCall`…), with what names its work as
 * attributes: the job, the JobRunHistory run, the report, the window or day, how many reports.
 * Only those: a token's fingerprint, an error text or a row never becomes an attribute.
 */
export function tracedStore(store: Store, tracer: Tracer = trace.getTracer('goaudits-pipeline')): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'close') return value;
      return (...args: unknown[]) =>
        inSpan(tracer, `store ${property}`, { 'goaudits.store.operation': property, ...storeAttributes(args[0]) }, () =>
          Promise.resolve(value.apply(target, args)),
        );
    },
  });
}

const JOBS: readonly unknown[] = [INGESTION_JOB, ENRICHMENT_JOB];

/** The attributes a store call's first argument gives. */
export function storeAttributes(arg: unknown): Attributes {
  if (JOBS.includes(arg)) return { 'goaudits.job': arg as string };
  if (typeof arg !== 'object' || arg === null) return {};
  const { job, runId, day, startDate, endDate, reportIds, reports, details } = arg as Record<string, unknown>;
  const reportId = (details as { reportId?: unknown } | undefined)?.reportId;
  const attributes: Attributes = {};
  if (JOBS.includes(job)) attributes['goaudits.job'] = job as string;
  if (typeof runId === 'string') attributes['goaudits.job_run_id'] = runId;
  if (typeof reportId === 'string') attributes['goaudits.report_id'] = reportId;
  if (typeof day === 'string') attributes['goaudits.day'] = day;
  if (typeof startDate === 'string' && typeof endDate === 'string') {
    attributes['goaudits.window.start'] = startDate;
    attributes['goaudits.window.end'] = endDate;
  }
  if (Array.isArray(reportIds)) attributes['goaudits.reports'] = reportIds.length;
  if (Array.isArray(reports)) attributes['goaudits.reports'] = reports.length;
  return attributes;
}
