// Shared with the projector (alert events); kept here so ingest's modules import it from one place.
export { publishEvents } from '@hookline/kafka';
