import { payloadSettingsShape, storedDeliverySettingsShape } from '@hookline/core';
import { signatureSchemeSchema } from '@hookline/signing';
import { z } from 'zod';
import { payloadFormatNames } from './payloads/registry.js';
import { profileNames } from './profiles.js';

/**
 * Per-endpoint delivery settings as the admin API accepts them: the stored shape with profile, payload format
 * and signature checked against the registries (their enums are what the OpenAPI document shows), and the
 * payload formats' own settings.
 */
export function deliverySettingsShape() {
  return {
    ...storedDeliverySettingsShape(),
    ...payloadSettingsShape,
    profile: z.enum(profileNames).optional(),
    signature: signatureSchemeSchema.optional(),
    payloadFormat: z.enum(payloadFormatNames).optional(),
  };
}
