export { cronProblem, isTimezone, nextDue, weeklyDigestCron } from './due-times.js';
export { exportEventType } from './export-event.js';
export { Scheduler, type SchedulerOptions } from './scheduler.js';
export { startStatusTrigger } from './status-trigger.js';
