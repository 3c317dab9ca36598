-- Least privilege for the pipeline worker on Azure SQL: its managed identity reads and writes
-- the five pipeline tables, reads and moves the GoAudits call lane (whose one row the migrations
-- seed) and reads the applied schema versions. No DELETE, no DDL: the schema is applied by an
-- admin (or by a worker run with an admin identity) beforehand:
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
GRANT SELECT, INSERT, UPDATE ON dbo.ProcessedItems TO [$(WorkerIdentity)];
GRANT SELECT, INSERT, UPDATE ON dbo.GoAuditsReports TO [$(WorkerIdentity)];
GRANT SELECT, INSERT, UPDATE ON dbo.GoAuditsReportAnswers TO [$(WorkerIdentity)];
-- The call lane: the worker only moves its one row (reserveApiCall, holdApiCalls).
GRANT SELECT, UPDATE ON dbo.GoAuditsCallLane TO [$(WorkerIdentity)];
-- migrate() reads the applied versions and, when all are applied, changes nothing.
GRANT SELECT ON dbo.SchemaMigrations TO [$(WorkerIdentity)];
GO
