/**
 * A call that would go too long after its start in the call lane (its process was busy between
 * the lane's turn and the request): it is not sent, and takes a new start. What keeps every
 * second at GoAudits within the limit however late a process runs (see call-lane.ts).
 */
export class LateForStart extends Error {
  constructor() {
    super('too late for its start in the call lane; not sent');
    this.name = 'LateForStart';
  }
}
