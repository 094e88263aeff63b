import { baseEnvSchema } from '@hookline/core';
import { z } from 'zod';

export const projectorEnvSchema = baseEnvSchema.extend({
  PROJECTOR_GROUP_ID: z.string().default('hookline-projector'),
  PROJECTOR_PORT: z.coerce.number().int().min(0).max(65535).default(8500),
  MONGO_URL: z.string().default('mongodb://127.0.0.1:37017/'),
  MONGO_DB: z.string().default('hookline'),
});
