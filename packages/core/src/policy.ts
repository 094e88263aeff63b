// Delivery policy (profiles, resolvePolicy, retry routing) moved to `@hookline/delivery-policy`. This file is
// kept only because `index.ts` (not this change's to edit) re-exports it; remove both together.
export {};
