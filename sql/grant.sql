-- Least privilege for the pipeline worker on Azure SQL: its managed identity reads and writes
-- the six pipeline tables (and deletes a report's answers, which a refresh replaces, and a report
-- gone from GoAudits with its ledger rows and version, which a reconcile with --delete-gone
-- deletes), reads and adds to the deleted reports, reads and moves the GoAudits call lane (whose
-- one row the migrations seed), reads, writes and deletes the enrichment failures (a report's
-- row goes when it is enriched or requeued), the enrichment claims (a run releases its claims)
-- and the missed summary days (a day's row goes once a window over it goes through), and reads
-- the applied schema versions. DELETE nowhere else, no DDL:
-- the schema is applied by an admin (or by a worker run with an admin identity) beforehand:
--
--   npx tsx activities/store/sqlserver-print-migrations.ts > migrations.sql
--   sqlcmd -S <server>.database.windows.net -d <database> --authentication-method ActiveDirectoryDefault -i migrations.sql
--
-- Then, as a Microsoft Entra admin of the database, with the identity's name (the user-assigned
-- managed identity whose client id the worker gets as AZURE_CLIENT_ID):
--
--   sqlcmd -S <server>.database.windows.net -d <database> --authentication-method ActiveDirectoryDefault \
--     -v WorkerIdentity="<identity name>" -i sql/grant.sql
--
-- Running it again changes nothing. The store sends only OPENJSON for lists, so no table type
-- and no EXECUTE grant is needed.

IF DATABASE_PRINCIPAL_ID(N'$(WorkerIdentity)') IS NULL
  CREATE USER [$(WorkerIdentity)] FROM EXTERNAL PROVIDER;
GO

GRANT SELECT, INSERT, UPDATE ON dbo.JobWatermark TO [$(WorkerIdentity)];
GRANT SELECT, INSERT, UPDATE ON dbo.JobRunHistory TO [$(WorkerIdentity)];
-- The ledger: a reconcile drops the rows of a report gone from GoAudits, and those that claim a missing report.
GRANT SELECT, INSERT, UPDATE, DELETE ON dbo.ProcessedItems TO [$(WorkerIdentity)];
-- A report gone from GoAudits is deleted by a reconcile with --delete-gone (after its copy to GoAuditsDeletedReports).
GRANT SELECT, INSERT, UPDATE, DELETE ON dbo.GoAuditsReports TO [$(WorkerIdentity)];
-- A report's answers: a refresh (the audit was edited) deletes them and writes the new ones.
GRANT SELECT, INSERT, UPDATE, DELETE ON dbo.GoAuditsReportAnswers TO [$(WorkerIdentity)];
-- What the summary last showed of each report, and its refresh request; a deleted report's row goes with it.
GRANT SELECT, INSERT, UPDATE, DELETE ON dbo.GoAuditsReportVersions TO [$(WorkerIdentity)];
-- Reports a reconcile deleted: only ever added to and read, so a deletion can be seen and undone.
GRANT SELECT, INSERT ON dbo.GoAuditsDeletedReports TO [$(WorkerIdentity)];
-- The call lane: the worker only moves its one row (reserveApiCall, holdApiCalls).
GRANT SELECT, UPDATE ON dbo.GoAuditsCallLane TO [$(WorkerIdentity)];
-- Failed enrichments and the quarantine: an enriched or requeued report's row is deleted.
GRANT SELECT, INSERT, UPDATE, DELETE ON dbo.GoAuditsEnrichmentFailures TO [$(WorkerIdentity)];
-- Enrichment claims: a run claims the reports it enriches, renews and releases its claims.
GRANT SELECT, INSERT, UPDATE, DELETE ON dbo.GoAuditsEnrichmentClaims TO [$(WorkerIdentity)];
-- Missed summary days: a day's row is deleted once a window over it goes through.
GRANT SELECT, INSERT, UPDATE, DELETE ON dbo.GoAuditsMissedDays TO [$(WorkerIdentity)];
-- migrate() reads the applied versions and, when all are applied, changes nothing.
GRANT SELECT, INSERT, UPDATE, DELETE ON dbo.GoAuditsLaneWaiters TO [$(WorkerIdentity)];
GRANT SELECT, INSERT, UPDATE ON dbo.GoAuditsCallBudgets TO [$(WorkerIdentity)];
GRANT SELECT ON dbo.SchemaMigrations TO [$(WorkerIdentity)];
GO
