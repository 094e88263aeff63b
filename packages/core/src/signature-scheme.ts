import { z } from 'zod';

/**
 * An endpoint's `signature` setting as stored: a scheme `kind` and its options. The schemes are a registry in
 * `@hookline/signing`, which validates the setting at the admin API's edge (through
 * `@hookline/delivery-policy`'s `deliverySettingsShape`); the stored record only keeps its shape, so core
 * depends on neither and records written by any version parse.
 */
export const storedSignatureSetting = z.looseObject({ kind: z.string().min(1) });
export type StoredSignatureSetting = z.infer<typeof storedSignatureSetting>;
