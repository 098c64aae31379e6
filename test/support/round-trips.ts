// A relay between the code and PostgreSQL that counts round trips: each time the client speaks
// after the server has answered (or first) is one. What pipelining saves is seen here, on the wire,
// not in a timing.
import { createServer, connect, type Socket } from 'node:net'

export interface RoundTripRelay {
  /** The database URL, through the relay. */
  url: string
  /** Round trips so far, over all connections. */
  roundTrips(): number
  /** Cuts the connection the client speaks on next, before the server hears it (a network gone). */
  cutNext(): void
  close(): Promise<void>
}

export async function roundTripRelay(databaseUrl: string): Promise<RoundTripRelay> {
  const target = new URL(databaseUrl)
  let roundTrips = 0
  let cutting = false
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname)
    let clientSpokeLast = false
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => undefined)
    }
    client.on('data', (chunk) => {
      if (cutting) {
        cutting = false
        client.destroy()
        upstream.destroy()
        return
      }
      if (!clientSpokeLast) roundTrips++
      clientSpokeLast = true
      upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      clientSpokeLast = false
      client.write(chunk)
    })
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const relayed = new URL(databaseUrl)
  relayed.hostname = '127.0.0.1'
  relayed.port = String((server.address() as { port: number }).port)
  return {
    url: relayed.toString(),
    roundTrips: () => roundTrips,
    cutNext: () => (cutting = true),
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
