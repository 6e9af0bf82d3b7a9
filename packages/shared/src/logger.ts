import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/** Paths that may hold secrets; pino replaces them before anything is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'password',
  'secret',
  'psk',
  '*.token',
  '*.password',
  '*.secret',
  '*.psk',
  '*.privateKey',
];

export interface LoggerSettings {
  level?: string;
  /** Where to write; defaults to stdout. */
  destination?: NodeJS.WritableStream;
}

/** A pino logger for one service, with secrets redacted. */
export function createLogger(service: string, settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    name: service,
    level: settings.level ?? process.env.NUBO_LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
