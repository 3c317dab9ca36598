import { inPool } from './calls-in-pool';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('never more under way than the bound, asked again as each ends', async () => {
  let running = 0;
  const peaks: number[] = [];
  let bound = 3;
  await inPool(
    Array.from({ length: 12 }, (_, i) => i),
    () => bound,
    async (i) => {
      running++;
      peaks.push(running);
      if (i === 4) bound = 1;
      await tick();
      running--;
    },
    () => false,
  );
  expect(Math.max(...peaks)).toBe(3);
  expect(peaks.slice(-3)).toEqual([1, 1, 1]);
});

test('a failure starts nothing more, awaits the ones under way, then is thrown', async () => {
  const ended: number[] = [];
  const failure = new Error('store down');
  await expect(
    inPool(
      [0, 1, 2, 3, 4],
      () => 2,
      async (i) => {
        await tick();
        if (i === 1) throw failure;
        await tick();
        ended.push(i);
      },
      () => false,
    ),
  ).rejects.toBe(failure);
  expect(ended).toEqual([0]);
});

test('stop() ends the starting', async () => {
  const started: number[] = [];
  await inPool(
    [0, 1, 2, 3],
    () => 1,
    async (i) => void started.push(i),
    () => started.length >= 2,
  );
  expect(started).toEqual([0, 1]);
});
