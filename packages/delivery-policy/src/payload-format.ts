import type { DeliveryTask } from '@hookline/core';

/**
 * A body shape a product promises its subscribers. Adding one is one file in `payloads/` plus one line in
 * `payloads/registry.ts`; profiles, the endpoint setting and the admin API's enum read the registry.
 */
export interface PayloadFormat<Name extends string = string> {
  name: Name;
  /** The exact JSON text posted (what is signed). */
  render(task: DeliveryTask): string;
}

export function definePayloadFormat<Name extends string>(format: PayloadFormat<Name>): PayloadFormat<Name> {
  return format;
}
