import { simulatorOptionsFromEnvironment } from './environment';

const NOW = new Date('2025-06-20T15:00:00Z');

describe('simulatorOptionsFromEnvironment', () => {
  test('defaults: 14 days ending today UTC', () => {
    expect(simulatorOptionsFromEnvironment({}, NOW)).toEqual({
      host: '127.0.0.1',
      port: 8787,
      token: 'dev-token',
      dataset: { reports: 300, from: '2025-06-07', to: '2025-06-20', seed: 1 },
      rateLimitPerSecond: 20,
      latencyMs: 20,
      latencyP95Ms: null,
    });
  });

  test('reads every variable; a rate limit of 0 means none', () => {
    const env = {
      SIM_PORT: '0',
      SIM_TOKEN: 't',
      SIM_REPORTS: '50',
      SIM_FROM: '2025-01-01',
      SIM_TO: '2025-01-31',
      SIM_SEED: '9',
      SIM_RATE_LIMIT: '0',
      SIM_LATENCY_MS: '',
      SIM_LATENCY_P95_MS: '900',
    };
    expect(simulatorOptionsFromEnvironment(env, NOW)).toMatchObject({
      port: 0,
      token: 't',
      dataset: { reports: 50, from: '2025-01-01', to: '2025-01-31', seed: 9 },
      rateLimitPerSecond: null,
      latencyMs: 20,
      latencyP95Ms: 900,
    });
  });

  test('names a bad variable', () => {
    expect(() => simulatorOptionsFromEnvironment({ SIM_PORT: 'eighty' }, NOW)).toThrow(/SIM_PORT/);
    expect(() => simulatorOptionsFromEnvironment({ SIM_TO: '2025-13-01' }, NOW)).toThrow(/SIM_TO/);
  });
});
