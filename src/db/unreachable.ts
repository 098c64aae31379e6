// The database out of reach for a while (PostgreSQL restarted, the network down): what waits and
// tries again rather than losing a message or answering with an error.

const UNREACHABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017'])
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections'])

/** Whether an error says the database could not be reached (as opposed to a statement it refused). */
export function isUnreachable(error: unknown): boolean {
  const e = error as { code?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } }; message?: string }
  if (e?.code && UNREACHABLE_CODES.has(e.code)) return true
  const kind = e?.meta?.driverAdapterError?.cause?.kind
  if (kind && UNREACHABLE_KINDS.has(kind)) return true
  return /ECONNREFUSED|ECONNRESET|Connection terminated|terminating connection/i.test(e?.message ?? '')
}

/** Seconds between tries: 1, 2, 4 … at most 30. */
export const RETRY_MAX_SECONDS = 30

/**
 * Runs `work`, and while it fails because the database is out of reach, runs it again after 1, 2,
 * 4 … 30 s for as long as the process lives (`stopped()` ends the waiting). Other errors are thrown at once.
 */
export async function untilReachable<T>(work: () => Promise<T>, onWait: (error: unknown, attempt: number, delayMs: number) => void, stopped: () => boolean = () => false): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      if (!isUnreachable(error) || stopped()) throw error
      const delayMs = Math.min(RETRY_MAX_SECONDS, 2 ** (attempt - 1)) * 1000
      onWait(error, attempt, delayMs)
      await new Promise((resolve) => setTimeout(resolve, delayMs))
    }
  }
}
