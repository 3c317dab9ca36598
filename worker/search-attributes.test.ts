import { ConfigError } from './config';
import { ensureSearchAttributes } from './search-attributes';

/** An operator service that knows `existing` and answers adds with `add`. */
function operator(existing: string[], add: () => Promise<unknown>) {
  const addSearchAttributes = jest.fn(add);
  const connection = {
    operatorService: {
      listSearchAttributes: async () => ({ customAttributes: Object.fromEntries(existing.map((name) => [name, 1])) }),
      addSearchAttributes,
    },
  };
  return { connection: connection as never, addSearchAttributes };
}

test('adds only the missing attributes, with their types', async () => {
  const { connection, addSearchAttributes } = operator(['GoAuditsRunKind', 'GoAuditsWindowsDone'], async () => ({}));
  expect(await ensureSearchAttributes(connection, 'goaudits-prod')).toEqual(['GoAuditsWindowsTotal', 'GoAuditsReportsIngested']);
  expect(addSearchAttributes).toHaveBeenCalledWith({
    namespace: 'goaudits-prod',
    searchAttributes: { GoAuditsWindowsTotal: expect.any(Number), GoAuditsReportsIngested: expect.any(Number) },
  });
});

test('refuses to start where it may not add them, naming the commands that do', async () => {
  const { connection } = operator(['GoAuditsRunKind'], () => Promise.reject(new Error('7 PERMISSION_DENIED: Request unauthorized.')));
  const refused = ensureSearchAttributes(connection, 'goaudits-prod');
  await expect(refused).rejects.toBeInstanceOf(ConfigError);
  const message = String(await refused.catch((error: Error) => error.message));
  expect(message).toMatch(
    /lacks the search attributes GoAuditsWindowsDone, GoAuditsWindowsTotal, GoAuditsReportsIngested.*PERMISSION_DENIED/,
  );
  expect(message).toContain('temporal operator search-attribute create --namespace goaudits-prod --name GoAuditsWindowsDone --type Int');
  expect(message).not.toContain('--name GoAuditsRunKind');
  expect(message).toContain(
    'tcld namespace search-attributes add --namespace goaudits-prod --search-attribute "GoAuditsWindowsDone=Int" --search-attribute "GoAuditsWindowsTotal=Int"',
  );
});

test('changes nothing when every attribute is there', async () => {
  const { connection, addSearchAttributes } = operator(
    ['GoAuditsRunKind', 'GoAuditsWindowsDone', 'GoAuditsWindowsTotal', 'GoAuditsReportsIngested'],
    async () => ({}),
  );
  expect(await ensureSearchAttributes(connection, 'default')).toEqual([]);
  expect(addSearchAttributes).not.toHaveBeenCalled();
});
