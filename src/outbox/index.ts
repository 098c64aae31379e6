export { backoffMs, Outbox, PRIORITY, type OutboxStats, type OutgoingMessage, type Pacing, type Timers, type Transport } from './outbox.ts'
