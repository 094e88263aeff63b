export { type CatalogState, EventCatalog, type EventCatalogOptions, type Problem, type Refusal } from './catalog.js';
export { maxJsonDepth, nestsDeeperThan } from './depth.js';
export { compileEventSchema, maxSchemaBytes, SchemaNotAccepted } from './schemas.js';
