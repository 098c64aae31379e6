// Structured logs: one JSON line per event (pino), level from LOG_LEVEL.
import { pino } from 'pino'

export type Logger = pino.Logger

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: undefined, redact: ['token', '*.token'] }, pino.destination(2))
}

/** A short random id shown to users as 系统出错（编号 ab12）and written to the log beside the details. */
export function errorCode(): string {
  return Math.random().toString(36).slice(2, 6)
}
