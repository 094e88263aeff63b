import type { ScheduledExport } from '@hookline/api-client';
import { html, nothing } from 'lit-html';
import { describeFailure, ok } from '../api.js';
import { dateTime, timeAgo } from '../format.js';
import { PollingView } from '../runtime.js';
import { emptyState, errorBox, pill, spinner } from '../ui.js';

/** When a schedule fires, in words: its type and the field that times it. */
function timing(s: ScheduledExport): string {
  switch (s.scheduleType) {
    case 'custom_cron':
      return `cron ${s.cronExpression ?? ''}`;
    case 'on_status_change':
      return `when status is "${s.triggerStatus ?? ''}"`;
    case 'one_time':
      return `once at ${s.scheduledAt ? dateTime(s.scheduledAt) : '?'}`;
    default:
      return 'weekly digest (Mondays 09:00)';
  }
}

/** The Schedules tab: the tenant's scheduled exports with their next due time, and a Trigger button. */
export class SchedulesView extends PollingView {
  readonly tab = 'schedules' as const;
  private schedules: ScheduledExport[] | null = null;
  private error: string | null = null;
  protected readonly pollMs = 5000;

  async load() {
    try {
      this.schedules = (await ok(this.app.admin.GET('/api/scheduled-exports', { params: { query: {} } }))).data.sort((a, b) =>
        (a.nextDueAt ?? '~').localeCompare(b.nextDueAt ?? '~'),
      );
      this.error = null;
    } catch (error) {
      this.error = describeFailure(error);
    }
    this.app.update();
  }

  private async trigger(schedule: ScheduledExport) {
    try {
      const { eventId } = await ok(
        this.app.admin.POST('/api/scheduled-exports/{exportId}/trigger', { params: { path: { exportId: schedule.id } } }),
      );
      this.app.toast('ok', `Triggered: event ${eventId}`);
    } catch (error) {
      this.app.toast('error', describeFailure(error));
    }
  }

  render() {
    const configure = this.app.canConfigure();
    return html`
      <div class="page-head">
        <div>
          <h1>Scheduled exports</h1>
          <p class="lede">Each due time sends an <code>export.scheduled</code> event to the schedule's webhook URL and to endpoints subscribed to it.</p>
        </div>
      </div>
      ${errorBox(this.error)}
      ${
        this.schedules === null
          ? html`<div class="card center">${spinner()}</div>`
          : this.schedules.length === 0
            ? html`<div class="card">${emptyState('No scheduled exports', 'Create one with POST /api/scheduled-exports.')}</div>`
            : html`<div class="card table-card"><table class="table" data-testid="schedules-table">
              <thead><tr><th>Schedule</th><th>When</th><th>Timezone</th><th>Format</th><th>Next due</th><th class="actions-col"></th></tr></thead>
              <tbody>${this.schedules.map(
                (s) => html`<tr data-testid="schedule-row">
                  <td><code>${s.id}</code>${s.projectId ? html`<div class="muted">${s.projectId}</div>` : nothing}</td>
                  <td>${timing(s)}</td>
                  <td>${s.timezone}</td>
                  <td>${pill('info', s.format)}</td>
                  <td data-testid="next-due">${s.nextDueAt ? html`<span title=${timeAgo(s.nextDueAt)}>${dateTime(s.nextDueAt)}</span>` : pill('muted', 'none')}</td>
                  <td class="actions">${
                    configure
                      ? html`<button class="button small" data-testid="trigger-schedule" @click=${() => this.trigger(s)}>Trigger</button>`
                      : nothing
                  }</td>
                </tr>`,
              )}</tbody></table></div>`
      }
    `;
  }
}
