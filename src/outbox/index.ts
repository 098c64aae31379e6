export { backoffMs, Outbox, PRIORITY, PROMOTE_AFTER_MS, type OutboxStats, type OutgoingMessage, type Pacing, type Timers, type Transport } from './outbox.ts'
