import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Where credentials sit in what the services log: signing secrets, API keys, tokens, and the `authorization` and
 * `cookie` headers of a request (an `err` of a failed HTTP call may carry its request's headers).
 */
const redactedPaths = [
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  '*.*.headers.cookie',
];

/**
 * Structured JSON logs; credentials are redacted wherever `redactedPaths` finds them. Requests are logged by route
 * template (`routeTemplate`), never by path. `destination` is for tests that read the output.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  return pino({ name: service, level, redact: { paths: redactedPaths, censor: '[redacted]' } }, destination);
}
