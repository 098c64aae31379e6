// The name this process goes by in the database's leases and claims (several processes may share
// a PostgreSQL database): readable by a person looking at the rows, and new at every start, so a
// restarted process never mistakes its dead predecessor's claims for its own.
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'

export function processId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
}
