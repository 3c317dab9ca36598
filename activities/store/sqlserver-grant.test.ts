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

/** The tables where the worker needs less than SELECT, INSERT, UPDATE, and what it gets there. */
const NARROWER: Readonly<Record<string, string>> = {
  SchemaMigrations: 'SELECT', // migrate() only reads the applied versions
  GoAuditsCallLane: 'SELECT, UPDATE', // the migrations seed its one row; the worker only moves it
};

describe('sql/grant.sql', () => {
  it('lets the worker read and write the pipeline tables, move the call lane and only read the schema versions', () => {
    const expected = Object.keys(SQLSERVER_SCHEMA).map((table) => `${NARROWER[table] ?? 'SELECT, INSERT, UPDATE'} ON ${table}`);
    expect(grants.sort()).toEqual(expected.sort());
  });

  it('grants no DELETE, no DDL and no control', () => {
    expect(grantScript.replace(/--[^\n]*/g, '')).not.toMatch(/DELETE|ALTER|CONTROL|EXECUTE|db_owner|db_ddladmin/i);
  });
});
