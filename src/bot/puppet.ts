// Which WeChat the bot talks to: a real account through wechaty-puppet-service.
import { PuppetService } from 'wechaty-puppet-service'
import type { Environment } from '../config/env.ts'

type PuppetServiceOptions = NonNullable<ConstructorParameters<typeof PuppetService>[0]>

interface PayloadStore {
  storeDir: string
  start(accountId: string): Promise<void>
  stop(): Promise<void>
}

/** Closing caches by folder: a new client for the same token (a restart) waits for the old one's. */
const closing = new Map<string, Promise<void>>()

/**
 * PuppetService, with one upstream race fixed: when its watchdog resets the connection, the
 * payload cache is stopped (logout) and started again (login) without waiting, so LevelDB is
 * reopened while its lock is still held and throws where nothing can catch it, killing the
 * process (cf. wechaty #2197). Here a start waits for the stop before it, also across client
 * instances (a bot stopped and started again), and stop() resolves once the cache is closed.
 */
export class ResilientPuppetService extends PuppetService {
  constructor(options: PuppetServiceOptions) {
    super(options)
    const store = (this as unknown as { _payloadStore: PayloadStore })._payloadStore
    const start = store.start.bind(store)
    const stop = store.stop.bind(store)
    store.stop = () => {
      const stopping = stop().catch(() => undefined)
      closing.set(store.storeDir, stopping)
      return stopping
    }
    store.start = async (accountId) => {
      await closing.get(store.storeDir)
      return start(accountId)
    }
    // Stopped means the payload cache is closed too, so the next client can open it.
    const stopPuppet = this.stop.bind(this)
    this.stop = async () => {
      await stopPuppet()
      await closing.get(store.storeDir)
    }
  }
}

export function servicePuppet(env: Environment & { WECHATY_PUPPET_SERVICE_TOKEN: string }): PuppetService {
  return new ResilientPuppetService({
    token: env.WECHATY_PUPPET_SERVICE_TOKEN,
    endpoint: env.WECHATY_PUPPET_SERVICE_ENDPOINT,
    tls: { disable: env.WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT },
  })
}
