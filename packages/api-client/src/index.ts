export * from './client.js';
export * from './errors.js';
export type { components as AdminComponents } from './generated/config-api.js';
export type { components as IngestComponents } from './generated/ingest.js';
export type * from './types.js';
