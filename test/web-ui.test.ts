import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TestServer, type Pipeline } from './harness';
import type { Progress } from '../workflows/progress';
import { until } from './until';
import { pauseUpdate } from '../workflows/controls';
import { freePort } from './free-port';
import { ingestionWorkflow } from '../workflows';

/**
 * What an operator sees in the Temporal Web UI (v2.54) during a backfill: the run is found by
 * its search attribute, and its page shows the progress the workflow publishes with
 * `setCurrentDetails` (User Metadata tab, "Current Details", rendered in an iframe).
 * Needs Debian's Chromium at /usr/bin/chromium (`npm test` installs it through scripts/setup.sh).
 */

jest.setTimeout(180_000);

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'web-ui-backfill.png');
const UI_TIMEOUT = 30_000;
/** Two months of audits: 61 one-day windows; the backfill is paused before the browser looks, so it is still running then. */
const TWO_MONTHS = { reports: 80, from: '2025-09-01', to: '2025-10-31', seed: 11 };
const BACKFILL_ID = `goaudits-backfill-${TWO_MONTHS.from}-${TWO_MONTHS.to}`;

let server: TestServer | undefined;
let pipeline: Pipeline | undefined;
let browser: Browser | undefined;
let backfill: WorkflowHandle | undefined;
let uiPort: number;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the Web UI test needs Chromium at ${CHROMIUM}, which is missing: run \`bash .ci/run\` ` +
        '(it installs it) or `apt-get update && apt-get install -y chromium` (Debian), then run the tests again',
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  uiPort = await freePort();
  server = await TestServer.start({ uiPort });
  pipeline = await server.pipeline({ simulator: { dataset: TWO_MONTHS } });
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (backfill) {
    const { status } = await backfill.describe().catch(() => ({ status: { name: 'UNKNOWN' } }));
    if (status.name === 'RUNNING') await backfill.cancel().catch(() => undefined);
  }
  await pipeline?.stop();
  await server?.stop();
});

test('the Web UI lists a running backfill by its search attribute and shows its progress', async () => {
  const p = pipeline!;
  // A run of another kind, finished before the browser looks: the filter must leave it out.
  const hourlyId = `goaudits-hourly-${Date.now()}`;
  await p.execute(ingestionWorkflow, {}, hourlyId);

  backfill = await p.start(ingestionWorkflow, { from: TWO_MONTHS.from, to: TWO_MONTHS.to, rateLimitPerSecond: 2 }, BACKFILL_ID);
  await until(
    () => backfill!.query<Progress>('progress'),
    (progress) => progress.windowsDone >= 1,
    'the first window',
  );
  // Paused, it cannot end however slowly the browser goes: it is still running when the operator looks and cancels.
  await backfill.executeUpdate(pauseUpdate);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(UI_TIMEOUT);
  page.setDefaultNavigationTimeout(UI_TIMEOUT);
  try {
    const ui = `http://127.0.0.1:${uiPort}/namespaces/default/workflows`;

    // The workflow list, filtered as an operator would: GoAuditsRunKind="backfill".
    await page.goto(`${ui}?query=${encodeURIComponent('GoAuditsRunKind="backfill"')}`);
    const row = page.getByRole('link', { name: BACKFILL_ID, exact: true });
    await row.waitFor();
    expect(await page.getByRole('link', { name: hourlyId, exact: true }).count()).toBe(0);

    // The backfill's page, then the User Metadata tab with the current details.
    await row.click();
    await page.waitForURL(`**/workflows/${BACKFILL_ID}/**`);
    await page.getByRole('heading', { name: BACKFILL_ID }).waitFor();
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    await page.getByRole('heading', { name: 'Current Details' }).waitFor();
    const details = page.frameLocator('#user-metadata-current-details');
    const windowLine = details.getByText(/window \d+ of 61/);
    await windowLine.waitFor();
    await details.getByText(/reports ingested \d+/).waitFor();
    await details.getByText(/: paused$/).waitFor();
    const shown = /window (\d+) of 61/.exec(await windowLine.innerText());
    expect(shown).not.toBeNull();
    expect(Number(shown![1])).toBeGreaterThanOrEqual(1);
    expect(Number(shown![1])).toBeLessThan(61);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  } catch (error) {
    await saveFailureScreenshot(page);
    throw error;
  }

  // An operator's cancel ends it cleanly, paused as it is.
  expect((await backfill.describe()).status.name).toBe('RUNNING');
  await backfill.cancel();
  await expect(backfill.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  expect((await backfill.describe()).status.name).toBe('CANCELLED');
});

async function saveFailureScreenshot(page: Page): Promise<void> {
  const path = join(ARTIFACTS, 'web-ui-failure.png');
  await page.screenshot({ path, fullPage: true }).then(
    () => console.error(`Web UI test failed at ${page.url()}; screenshot: ${path}`),
    () => undefined,
  );
}
