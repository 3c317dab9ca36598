import { runbookQueryForSqlite } from './runbook-sql';

describe('runbookQueryForSqlite', () => {
  test('the runbook run-history query keeps its meaning', () => {
    const runbook = `SELECT TOP (20) JobName, Status, RunStartedUtc, RunCompletedUtc, Message
FROM dbo.JobRunHistory
ORDER BY RunStartedUtc DESC;`;
    expect(runbookQueryForSqlite(runbook)).toBe(
      `SELECT JobName, Status, RunStartedUtc, RunCompletedUtc, Message
FROM JobRunHistory
ORDER BY RunStartedUtc DESC LIMIT 20`,
    );
  });

  test('counts lose only the schema', () => {
    expect(runbookQueryForSqlite('SELECT COUNT(*) AS Reports FROM dbo.GoAuditsReports;')).toBe(
      'SELECT COUNT(*) AS Reports FROM GoAuditsReports',
    );
  });

  test('SQLite queries pass through', () => {
    expect(runbookQueryForSqlite('select 1')).toBe('select 1');
  });
});
