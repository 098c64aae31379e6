// Statements made together, so that PostgreSQL's pipelined connection sends them in one round trip
// (src/db/pg-client.ts). Unlike Promise.all, a failure is thrown only once every one has settled:
// a transaction is never ended while its own work is still running, and the failure reported is
// the first in the order they were made (on PostgreSQL the ones after it fail only because the
// transaction was aborted).
export async function together<T extends readonly unknown[] | []>(work: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled: PromiseSettledResult<unknown>[] = await Promise.allSettled(work as readonly unknown[])
  const values: unknown[] = []
  for (const s of settled) {
    if (s.status === 'rejected') throw s.reason
    values.push(s.value)
  }
  return values as { -readonly [K in keyof T]: Awaited<T[K]> }
}
