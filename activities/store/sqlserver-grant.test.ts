import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SQLSERVER_SCHEMA } from './sqlserver-schema';

const grantScript = readFileSync(resolve(__dirname, '../../sql/grant.sql'), 'utf8');

/** The GRANT statements of the script (comments dropped), as `permissions ON table`. */
const grants = grantScript
  .replace(/--[^\n]*/g, '')
  .split(';')
  .map((statement) => statement.replace(/\s+/g, ' ').trim())
  .filter((statement) => statement.includes('GRANT'))
  .map((statement) => /GRANT (.+) ON dbo\.(\w+) TO \[\$\(WorkerIdentity\)\]$/.exec(statement)?.slice(1).join(' ON ') ?? statement);

/** The tables where the worker needs other than SELECT, INSERT, UPDATE, and what it gets there. */
const EXCEPTIONS: Readonly<Record<string, string>> = {
  SchemaMigrations: 'SELECT', // migrate() only reads the applied versions
  ProcessedItems: 'SELECT, INSERT, UPDATE, DELETE', // a reconcile drops the ledger rows of gone and missing reports
  GoAuditsReports: 'SELECT, INSERT, UPDATE, DELETE', // a reconcile deletes a report gone from GoAudits
  GoAuditsReportVersions: 'SELECT, INSERT, UPDATE, DELETE', // a deleted report's version goes with it
  GoAuditsDeletedReports: 'SELECT, INSERT', // reports a reconcile deleted: only added to and read
  GoAuditsReportAnswers: 'SELECT, INSERT, UPDATE, DELETE', // a refresh replaces a report's answers
  GoAuditsCallLane: 'SELECT, UPDATE', // the migrations seed its one row; the worker only moves it
  GoAuditsEnrichmentFailures: 'SELECT, INSERT, UPDATE, DELETE', // an enriched or requeued report's failures go
  GoAuditsEnrichmentClaims: 'SELECT, INSERT, UPDATE, DELETE', // a run releases its claims
  GoAuditsMissedDays: 'SELECT, INSERT, UPDATE, DELETE', // a missed day goes once a window over it goes through
  GoAuditsLaneWaiters: 'SELECT, INSERT, UPDATE, DELETE', // a call granted, or given up, leaves the lane's waiters
};

describe('sql/grant.sql', () => {
  it('lets the worker read and write the pipeline tables, replace answers, delete gone reports, move the call lane, forget failures, release claims, forget missed days and only read the schema versions', () => {
    const expected = Object.keys(SQLSERVER_SCHEMA).map((table) => `${EXCEPTIONS[table] ?? 'SELECT, INSERT, UPDATE'} ON ${table}`);
    expect(grants.sort()).toEqual(expected.sort());
  });

  it("grants DELETE on the reports, their answers, ledger and versions, enrichment failures, claims, missed days and the lane's waiters only, none on the deleted reports, no DDL and no control", () => {
    const statements = grantScript.replace(/--[^\n]*/g, '');
    expect(statements.match(/\bDELETE\b/gi)).toHaveLength(8);
    expect(grants.filter((grant) => /\bDELETE\b/i.test(grant)).sort()).toEqual([
      'SELECT, INSERT, UPDATE, DELETE ON GoAuditsEnrichmentClaims',
      'SELECT, INSERT, UPDATE, DELETE ON GoAuditsEnrichmentFailures',
      'SELECT, INSERT, UPDATE, DELETE ON GoAuditsLaneWaiters',
      'SELECT, INSERT, UPDATE, DELETE ON GoAuditsMissedDays',
      'SELECT, INSERT, UPDATE, DELETE ON GoAuditsReportAnswers',
      'SELECT, INSERT, UPDATE, DELETE ON GoAuditsReportVersions',
      'SELECT, INSERT, UPDATE, DELETE ON GoAuditsReports',
      'SELECT, INSERT, UPDATE, DELETE ON ProcessedItems',
    ]);
    expect(statements).not.toMatch(/ALTER|CONTROL|EXECUTE|db_owner|db_ddladmin/i);
  });
});
