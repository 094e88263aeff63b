import type { DeliveryTask, PayloadSettings } from '@hookline/core';

/**
 * A body shape a product promises its subscribers. Adding one is one file in `payloads/` plus one line in
 * `payloads/registry.ts`; profiles, the endpoint setting and the admin API's enum read the registry.
 */
export interface PayloadFormat<Name extends string = string> {
  name: Name;
  /** The exact JSON text posted (what is signed); `settings` are the endpoint's payload settings. */
  render(task: DeliveryTask, settings: PayloadSettings): string;
  /**
   * Headers the format's document ties to the body (task app: `X-Webhook-ID` is the body's `webhook_id`). They
   * are set after the signature's headers, so where both name a header the document's meaning wins.
   */
  headers?(task: DeliveryTask): Record<string, string>;
}

export function definePayloadFormat<Name extends string>(format: PayloadFormat<Name>): PayloadFormat<Name> {
  return format;
}
