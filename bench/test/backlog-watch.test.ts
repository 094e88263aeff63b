import { describe, expect, it } from 'vitest';
import { BacklogStuckError, BacklogWatch } from '../backlog-watch.js';

describe('BacklogWatch', () => {
  const minute = 60_000;

  it('stops the wait when a group has worked off nothing for the limit', () => {
    const watch = new BacklogWatch(200, 2 * minute);
    watch.observe('projector', 349_000, 0);
    watch.observe('projector', 349_000, minute);
    expect(() => watch.observe('projector', 349_000, 2 * minute)).toThrow(BacklogStuckError);
  });

  it('counts any fall of the lag as progress', () => {
    const watch = new BacklogWatch(200, 2 * minute);
    watch.observe('projector', 349_000, 0);
    watch.observe('projector', 348_999, 1.5 * minute);
    // A lag that rose after its lowest (records still arriving) is measured from the last fall.
    watch.observe('projector', 350_000, 3 * minute);
    expect(() => watch.observe('projector', 350_000, 3.5 * minute - 1)).not.toThrow();
    expect(() => watch.observe('projector', 350_000, 3.5 * minute)).toThrow(/projector worked off none of its 350000 records in 120 s/);
  });

  it('never stops a group within its slack, and follows each group on its own', () => {
    const watch = new BacklogWatch(200, 2 * minute);
    for (let at = 0; at <= 10 * minute; at += minute) {
      watch.observe('delivery', 150, at);
      watch.observe('fanout', 10_000 - at / 1000, at);
    }
  });
});
