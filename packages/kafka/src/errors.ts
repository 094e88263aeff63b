/** Failures of the event log, as classes callers can tell apart. */
export class EventLogError extends Error {
  override readonly name: string = 'EventLogError';
}

/** A view or a wait did not reach the position it waited for in time. */
export class CatchUpTimeoutError extends EventLogError {
  override readonly name = 'CatchUpTimeoutError';
}

/** The view was used before `start()` or after `stop()`. */
export class ViewNotRunningError extends EventLogError {
  override readonly name = 'ViewNotRunningError';
}

/** A consumer group that still has members cannot be deleted. */
export class GroupNotEmptyError extends EventLogError {
  override readonly name = 'GroupNotEmptyError';
}

/** Writing to the log failed (the broker refused or did not answer); nothing can be assumed written. */
export class PublishError extends EventLogError {
  override readonly name = 'PublishError';
}

/** An existing topic breaks a setting Hookline cannot run without (e.g. `config` not compacted); the service does not start. */
export class TopicMisconfiguredError extends EventLogError {
  override readonly name = 'TopicMisconfiguredError';
}
