/**
 * Why a wait for the consumer groups' backlog stopped early: one group's lag stayed where it was for
 * `stuckAfterMs`. Round 11's first full run waited 600 s per phase for a projector whose FerretDB had stopped
 * answering, then crashed two scenarios later without saying why.
 */
export class BacklogStuckError extends Error {
  override readonly name = 'BacklogStuckError';

  constructor(
    readonly group: string,
    readonly lag: number,
    readonly stuckForMs: number,
  ) {
    super(
      `consumer group ${group} worked off none of its ${lag} records in ${Math.round(stuckForMs / 1000)} s: its service ` +
        'or the store it writes to is hung (see its log under .hookline/test-logs); the bench stops here',
    );
  }
}

/** Follows each consumer group's lag while a backlog is worked off, and tells one that makes no progress. */
export class BacklogWatch {
  private readonly lowest = new Map<string, { lag: number; at: number }>();

  constructor(
    private readonly slack: number,
    private readonly stuckAfterMs: number,
  ) {}

  /**
   * Takes `group`'s lag at `now` (ms). Throws `BacklogStuckError` when the lag is above the slack and has not
   * fallen below its lowest for `stuckAfterMs`; any fall counts as progress.
   */
  observe(group: string, lag: number, now: number): void {
    const lowest = this.lowest.get(group);
    if (lowest === undefined || lag < lowest.lag || lag <= this.slack) {
      this.lowest.set(group, { lag, at: now });
      return;
    }
    if (now - lowest.at >= this.stuckAfterMs) throw new BacklogStuckError(group, lag, now - lowest.at);
  }
}
