import { definePayloadFormat } from '../payload-format.js';

/** ThreadHound: `{webhookType, actionType, payload}`; `chatmessage-crud.created` → `chatmessage-crud`, `created`. */
export const threadhoundPayload = definePayloadFormat({
  name: 'threadhound',
  render({ event }) {
    const cut = event.type.lastIndexOf('.');
    return JSON.stringify({
      webhookType: cut < 0 ? event.type : event.type.slice(0, cut),
      actionType: cut < 0 ? '' : event.type.slice(cut + 1),
      payload: event.data,
    });
  },
});
