/** How long the simulator takes to answer a call: a median and a tail, like a real SaaS API. */
import type { FaultOptions } from './options';
import type { Random } from './random';

/** The standard normal quantile of 0.95: p95 = median × e^(1.645 σ) for a log-normal latency. */
const Z95 = 1.6448536;

/**
 * One answer's delay: log-normal with median `latencyMs` and 95th percentile `latencyP95Ms`
 * (when set above the median; else exactly `latencyMs`), plus 0..`latencyJitterMs`. One or two
 * draws per call, so the delays depend only on the seed and the call order.
 */
export function drawLatencyMs(options: Pick<FaultOptions, 'latencyMs' | 'latencyP95Ms' | 'latencyJitterMs'>, random: Random): number {
  const { latencyMs, latencyP95Ms, latencyJitterMs } = options;
  let latency = latencyMs;
  if (latencyP95Ms != null && latencyP95Ms > latencyMs && latencyMs > 0) {
    const sigma = Math.log(latencyP95Ms / latencyMs) / Z95;
    latency = latencyMs * Math.exp(sigma * standardNormal(random));
  }
  return Math.round(latency) + (latencyJitterMs > 0 ? random.int(0, latencyJitterMs) : 0);
}

/** Box-Muller: a standard normal draw from two uniform ones. */
function standardNormal(random: Random): number {
  const u = 1 - random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}
