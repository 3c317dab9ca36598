/**
 * The baseline the pipeline is measured against: a plain Node script making the same GoAudits
 * calls (one summary call per day, one details call per Completed audit it lists) with `limit`
 * calls per second from one shared spacing, and `concurrency` calls in flight. No Temporal, no
 * store, no retries: the least any pipeline could take over HTTP.
 */
import { request } from 'undici';

interface Target {
  summaryUrl: string;
  detailsUrl: string;
  token: string;
}

export async function plainCalls(
  target: Target,
  days: string[],
  { limitPerSecond, concurrency }: { limitPerSecond: number; concurrency: number },
): Promise<{ calls: number; seconds: number }> {
  const spacing = 1000 / limitPerSecond;
  let next = 0;
  let calls = 0;
  const turn = async () => {
    const at = Math.max(Date.now(), next);
    next = at + spacing;
    if (at > Date.now()) await new Promise((resolve) => setTimeout(resolve, at - Date.now()));
  };
  const post = async (url: string, body: object): Promise<unknown> => {
    await turn();
    calls++;
    const response = await request(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return response.body.json();
  };

  const started = performance.now();
  const ids: string[] = [];
  const summaries = days.map((day) => async () => {
    const rows = (await post(target.summaryUrl, { start_date: day, end_date: day, status: 'Completed', jsonflag: true })) as {
      ID?: unknown;
    }[];
    for (const row of rows) if (typeof row.ID === 'string' && row.ID.trim()) ids.push(row.ID.trim());
  });
  await pool(summaries, concurrency);
  await pool(
    [...new Set(ids)].map(
      (id) => () => post(target.detailsUrl, { audit_id: id, jsonflag: true, start_date: '2024-01-01', end_date: '2050-12-12' }),
    ),
    concurrency,
  );
  return { calls, seconds: (performance.now() - started) / 1000 };
}

async function pool(tasks: (() => Promise<unknown>)[], concurrency: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}
