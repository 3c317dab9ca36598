import type { LaneWaitInfo } from '../../shared/lane-caller';

/**
 * The call lane sends the caller's run away until a time instead of making its call: the run's
 * budget for the day is spent, or GoAudits asked everyone to wait long (a 429 with a long
 * Retry-After, a spent quota). Not a failure and not a try: the run waits, then goes on.
 */
export class LaneWait extends Error {
  constructor(readonly info: LaneWaitInfo) {
    super(info.reason === 'budget' ? 'the run spent its GoAudits calls for the day' : 'GoAudits asks us to wait');
    this.name = 'LaneWait';
  }
}
