/**
 * Runs the GoAudits simulator on its own, configured by `SIM_*` variables (see environment.ts),
 * and prints one JSON line with its URLs (never the token).
 */
import { simulatorOptionsFromEnvironment } from './environment';
import { startSimulator } from './server';

async function main(): Promise<void> {
  const options = simulatorOptionsFromEnvironment(process.env);
  const simulator = await startSimulator(options);
  const { reports, from, to, seed } = options.dataset;
  console.log(
    JSON.stringify({
      event: 'simulator.started',
      url: simulator.url,
      summaryUrl: simulator.summaryUrl,
      detailsUrl: simulator.detailsUrl,
      controlUrl: `${simulator.url}/__sim/`,
      dataset: { reports, from, to, seed },
    }),
  );
  const stop = (): void => void simulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
