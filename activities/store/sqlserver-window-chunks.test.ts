import { windowChunks } from './sqlserver-window-chunks';

describe('SQL Server window chunks', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `R${String(n - i).padStart(5, '0')}`);

  it('writes a window of thousands of reports in chunks of at most 1,000, each below lock escalation', () => {
    const chunks = windowChunks(ids(2_500), (id) => id);
    expect(chunks.map((chunk) => chunk.length)).toEqual([1_000, 1_000, 500]);
    expect(chunks.flat()).toEqual([...ids(2_500)].sort());
  });

  it('takes the ids in one order, whatever order the window came in: overlapping windows lock alike', () => {
    const window = ['R3', 'r2', 'R1', 'R4'];
    expect(windowChunks(window, (id) => id, 2)).toEqual([
      ['R1', 'r2'],
      ['R3', 'R4'],
    ]);
    expect(windowChunks([...window].reverse(), (id) => id, 2)).toEqual(windowChunks(window, (id) => id, 2));
  });

  it('gives no chunk for an empty window', () => {
    expect(windowChunks([], (id: string) => id)).toEqual([]);
  });
});
