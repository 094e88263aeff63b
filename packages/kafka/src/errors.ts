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

/** A namespace to delete is not one: an empty prefix, or one not ending in "." (it would take others' topics). */
export class NotANamespaceError extends EventLogError {
  override readonly name = 'NotANamespaceError';
}

export function assertNamespace(prefix: string): void {
  if (!/^[^.]+.*\.$/.test(prefix)) throw new NotANamespaceError(`"${prefix}" is not a topic namespace (e.g. "bench1.")`);
}

/** An existing topic breaks a setting Hookline cannot run without (e.g. `config` not compacted); the service does not start. */
export class TopicMisconfiguredError extends EventLogError {
  override readonly name = 'TopicMisconfiguredError';
}
