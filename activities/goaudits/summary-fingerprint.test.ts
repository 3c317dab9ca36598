import { summaryFingerprint } from './summary-fingerprint';

describe('summaryFingerprint', () => {
  const row = { ID: 'A1', Updated_On: '2025-03-04 05:06:07', Score: 81.5, Location: { name: 'Leeds', id: 3 } };

  it('is the same for the same rows, whatever the order of rows and fields', () => {
    const reordered = { Location: { id: 3, name: 'Leeds' }, Score: 81.5, Updated_On: '2025-03-04 05:06:07', ID: 'A1' };
    const copy = { ...row, Location: 'second copy' };
    expect(summaryFingerprint([row, copy])).toBe(summaryFingerprint([copy, reordered]));
    expect(summaryFingerprint([row])).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['a field changes', { ...row, Score: 82 }],
    ['a nested field changes', { ...row, Location: { name: 'York', id: 3 } }],
    ['Updated_On moves', { ...row, Updated_On: '2025-03-05 00:00:00' }],
    ['a field is added', { ...row, Auditor: 'Sam' }],
  ])('changes when %s', (_label, edited) => {
    expect(summaryFingerprint([edited])).not.toBe(summaryFingerprint([row]));
  });

  it('changes when the audit gains a row', () => {
    expect(summaryFingerprint([row, row])).not.toBe(summaryFingerprint([row]));
  });
});
