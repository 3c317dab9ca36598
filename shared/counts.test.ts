import { addCounts, countsMessage, noEnrichment, noIngestion } from './counts';

test('counts add field by field and one fatal batch makes the run fatal', () => {
  const total = addCounts(addCounts(noEnrichment(), { processed: 2, failedCount: 1 }), { processed: 3, authFatal: true });
  expect(total).toEqual({ ...noEnrichment(), processed: 5, failedCount: 1, authFatal: true });
  expect(addCounts(total, { authFatal: false }).authFatal).toBe(true);
});

test("the JobRunHistory message names every count on one line, in today's words and order, new counts last", () => {
  expect(
    countsMessage(addCounts(noIngestion(), { fetched: 12, eligible: 10, ingested: 7, skipped: 2, alreadyProcessed: 3, pages: 1 })),
  ).toBe('Fetched=12 Eligible=10 Ingested=7 Skipped=2 AlreadyProcessed=3 Pages=1 MissedDays=0 RefreshRequested=0');
  const enrichment = addCounts(noEnrichment(), {
    selected: 5,
    processed: 4,
    certUpdatedCount: 3,
    answersInsertedCount: 20,
    markedProcessedCount: 4,
    certMissingCount: 1,
    failedCount: 1,
  });
  expect(countsMessage(enrichment)).toBe(
    'Selected=5 Processed=4 CertUpdated=3 AnswersInserted=20 MarkedProcessed=4 CertMissing=1 Failed=1 Quarantined=0 EnrichedElsewhere=0 Refreshed=0',
  );
  expect(countsMessage({ ...enrichment, authFatal: true }, 'authFatal: GoAudits refused the token')).toBe(
    'Selected=5 Processed=4 CertUpdated=3 AnswersInserted=20 MarkedProcessed=4 CertMissing=1 Failed=1 Quarantined=0 EnrichedElsewhere=0 Refreshed=0 | Error: authFatal: GoAudits refused the token',
  );
});
