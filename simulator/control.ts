/** `/__sim/*`: drive the simulator over HTTP from another process. No auth, not counted as API calls. */
import { z } from 'zod';
import { parseJson } from './api';
import { editRequestSchemaWith, type DeleteRequest, type ReopenRequest, type SilentEditRequest } from './dataset';
import { jsonReply, type Reply } from './http';
import type { FaultPatch } from './options';
import type { Simulator } from './simulator';
import { daySchema } from './time';
import { parseOrThrow } from './validate';

export const CONTROL_PREFIX = '/__sim/';

/** An ISO date-time, read as a Date. */
const dateTimeSchema = z.iso.datetime().transform((text) => new Date(text));

const reportsBodySchema = z.strictObject({
  count: z.number().int().min(0),
  /** A day `YYYY-MM-DD`, or an ISO date-time for one exact second. */
  on: z.union([daySchema, dateTimeSchema]).optional(),
});
const editsBodySchema = editRequestSchemaWith(dateTimeSchema.optional());
const tokenBodySchema = z.strictObject({ token: z.string().min(1) });

/**
 * GET truth, GET counters, POST counters/reset, POST faults (partial options),
 * POST reports ({count, on}) → {ids}, POST edits ({ids | count, at, moveUpdatedOn}) → {ids},
 * POST deletions ({ids | count}) → {ids}, POST reopenings ({ids | count, status}) → {ids},
 * POST silent-edits ({ids | count, change}) → {ids}, POST token ({token}).
 * Throws ValidationError on a bad body.
 */
export function controlReply(sim: Simulator, method: string | undefined, path: string, bodyText: string): Reply {
  switch (`${method} ${path.slice(CONTROL_PREFIX.length)}`) {
    case 'GET truth':
      return jsonReply(200, sim.truth());
    case 'GET counters':
      return jsonReply(200, sim.counters());
    case 'POST counters/reset':
      sim.resetCounters();
      return jsonReply(200, { ok: true });
    case 'POST faults':
      sim.setFaults(parseJson(bodyText) as FaultPatch); // validated by setFaults
      return jsonReply(200, { ok: true });
    case 'POST reports': {
      const { count, on } = parseOrThrow(reportsBodySchema, parseJson(bodyText), 'reports request');
      return jsonReply(200, { ids: sim.addReports(count, { on }) });
    }
    case 'POST edits':
      return jsonReply(200, { ids: sim.editReports(parseOrThrow(editsBodySchema, parseJson(bodyText), 'edit request')) });
    case 'POST deletions':
      return jsonReply(200, { ids: sim.deleteReports(parseJson(bodyText) as DeleteRequest) }); // validated by deleteReports
    case 'POST reopenings':
      return jsonReply(200, { ids: sim.reopenReports(parseJson(bodyText) as ReopenRequest) }); // validated by reopenReports
    case 'POST silent-edits':
      return jsonReply(200, { ids: sim.editReportsSilently(parseJson(bodyText) as SilentEditRequest) }); // validated by editReportsSilently
    case 'POST token':
      sim.setToken(parseOrThrow(tokenBodySchema, parseJson(bodyText), 'token request').token);
      return jsonReply(200, { ok: true });
    default:
      return jsonReply(404, { error: 'Not Found' });
  }
}
