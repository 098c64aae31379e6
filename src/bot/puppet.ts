// Which WeChat the bot talks to: a real account through wechaty-puppet-service (by default), the
// sandbox's mock, or any other installed puppet named as Wechaty's convention has it.
import type { PuppetModuleName, Wechaty } from 'wechaty'
import { PuppetService } from 'wechaty-puppet-service'
import { log } from 'wechaty-puppet'
import type { Environment } from '../config/env.ts'

type PuppetServiceOptions = NonNullable<ConstructorParameters<typeof PuppetService>[0]>

interface PayloadStore {
  storeDir: string
  start(accountId: string): Promise<void>
  stop(): Promise<void>
}

/** The part of upstream's GrpcManager (not exported) that is used here: its event stream's events. */
interface GrpcEvents {
  on(event: 'end' | 'error', listener: (...args: unknown[]) => void): unknown
}

/** Closing caches by folder: a new client for the same token (a restart) waits for the old one's. */
const closing = new Map<string, Promise<void>>()

/** Seconds to wait before reconnecting: 1, 2, 4 … after each failed try, at most this. */
const RECONNECT_MAX_SECONDS = 30
/** A connection that lived this long starts the backoff afresh when it is lost. */
const RECONNECT_HEALTHY_MS = 60_000

/**
 * PuppetService, with two upstream gaps closed.
 *
 * 1. When its watchdog resets the connection, the payload cache is stopped (logout) and started
 *    again (login) without waiting, so LevelDB is reopened while its lock is still held and throws
 *    where nothing can catch it, killing the process (cf. wechaty #2197). Here a start waits for
 *    the stop before it, also across client instances (a bot stopped and started again), and
 *    stop() resolves once the cache is closed.
 * 2. Upstream only logs the end of the gRPC event stream (a service restart ends it at once with
 *    CANCELLED) and leaves recovery to the watchdog, which fires after 60 s without events: a
 *    restart of the service cost a minute of deafness. Here the stream's end or error starts
 *    the same reset (stop, then start) as the watchdog does, after 1 s, and again after 2, 4 …
 *    30 s while the service is not back. The watchdog stays for a stream that goes silent
 *    without ending.
 * 3. wechaty-puppet 1.21's roomMemberPayload files what it fetched under the key "memberId", not
 *    the member's id, so its memory never answers: every message's `room.alias(talker)` went to
 *    the payload store (LevelDB) again. Here it is kept under the member's id; a dirty room
 *    (a member renamed, joined or left) clears it, as upstream intends.
 */
export class ResilientPuppetService extends PuppetService {
  readonly #startPuppet: () => Promise<void>
  /** Started by its owner and not stopped by it since: then a lost connection is ours to restore. */
  #wanted = false
  /** Inside a reset (ours or the watchdog's): its stop and its stream's end are not the owner's. */
  #resetting = 0
  #timer: ReturnType<typeof setTimeout> | undefined
  #failures = 0
  #connectedAt = 0

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
    // start and stop are typed as properties upstream, so they are wrapped here rather than overridden.
    const startPuppet = this.start.bind(this)
    const stopPuppet = this.stop.bind(this)
    this.#startPuppet = startPuppet
    this.start = async () => {
      this.#wanted = true
      await startPuppet()
      this.#connectedAt = Date.now()
    }
    // Stopped means the payload cache is closed too, so the next client can open it.
    this.stop = async () => {
      if (this.#resetting === 0) {
        this.#wanted = false
        clearTimeout(this.#timer)
        this.#timer = undefined
      }
      await stopPuppet()
      await closing.get(store.storeDir)
    }
  }

  override async roomMemberPayload(roomId: string, memberId: string): ReturnType<PuppetService['roomMemberPayload']> {
    const members = this.cache.roomMember.get(roomId)
    const known = members?.[memberId]
    if (known) return known
    // As upstream does, but filed under the member's id.
    const raw = await this.roomMemberRawPayload(roomId, memberId)
    if (!raw) throw new Error(`contact(${memberId}) is not in the Room(${roomId})`)
    const payload = await this.roomMemberRawPayloadParser(raw)
    // Read again: another message may have filed a member of the same room meanwhile.
    this.cache.roomMember.set(roomId, { ...this.cache.roomMember.get(roomId), [memberId]: payload })
    return payload
  }

  /** The watchdog's reset and ours: a reset whose start failed leaves the puppet stopped, so try again. */
  override async reset(): Promise<void> {
    this.#resetting++
    try {
      await super.reset()
    } finally {
      this.#resetting--
    }
    this.#afterTry()
  }

  protected override bridgeGrpcEventStream(client: Parameters<PuppetService['bridgeGrpcEventStream']>[0]): void {
    super.bridgeGrpcEventStream(client)
    const lost = (how: string) => {
      // Only the live stream counts: stop() drops the manager before destroying its stream.
      if (this._grpcManager !== client || this.#resetting > 0 || this.state.active() !== true) return
      if (Date.now() - this.#connectedAt > RECONNECT_HEALTHY_MS) this.#failures = 0
      this.#reconnectSoon(how)
    }
    const events = client as unknown as GrpcEvents
    events.on('end', () => lost('ended'))
    events.on('error', (e) => lost(`failed (${e instanceof Error ? e.message : String(e)})`))
  }

  #reconnectSoon(how: string): void {
    if (!this.#wanted || this.#timer) return
    const seconds = Math.min(RECONNECT_MAX_SECONDS, 2 ** this.#failures)
    this.#failures++
    log.warn('ResilientPuppetService', 'event stream %s: reconnecting in %d s', how, seconds)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#reconnect()
    }, seconds * 1000)
    this.#timer.unref()
  }

  async #reconnect(): Promise<void> {
    if (!this.#wanted) return
    if (this.state.active()) return this.reset()
    // A failed try left the puppet stopped: start it again (start errors reach 'error' listeners).
    this.#resetting++
    try {
      await this.#startPuppet()
    } catch {
      // tried again below
    } finally {
      this.#resetting--
    }
    this.#afterTry()
  }

  #afterTry(): void {
    if (!this.#wanted) return
    if (this.state.active() === true) this.#connectedAt = Date.now()
    else this.#reconnectSoon('still down')
  }
}

export function servicePuppet(env: Environment & { WECHATY_PUPPET_SERVICE_TOKEN: string }): PuppetService {
  return new ResilientPuppetService({
    token: env.WECHATY_PUPPET_SERVICE_TOKEN,
    endpoint: env.WECHATY_PUPPET_SERVICE_ENDPOINT,
    tls: { disable: env.WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT },
  })
}

/**
 * Where the assistant runs, from `WECHATY_PUPPET` as Wechaty reads it (an installed puppet's npm
 * name), with this project's defaults: wechaty-puppet-service when a token is set, the sandbox
 * otherwise. wechaty-puppet-service gets our ResilientPuppetService (its fixes live there), and
 * wechaty-puppet-mock means the sandbox: a bare mock WeChat has nobody in it to talk to.
 */
export type PuppetChoice =
  | { kind: 'sandbox' }
  | {
      kind: 'wechat'
      /** The puppet's npm name, for the log. */
      name: string
      /**
       * For WechatyBuilder: our service client, or the name of any other installed puppet, which
       * Wechaty imports itself (and which reads its own environment, as with WECHATY_PUPPET).
       */
      puppet: PuppetService | PuppetModuleName
    }

export const SERVICE_PUPPET = 'wechaty-puppet-service'
export const MOCK_PUPPET = 'wechaty-puppet-mock'

export function choosePuppet(env: Environment): PuppetChoice {
  const name = env.WECHATY_PUPPET?.toLowerCase() ?? (env.WECHATY_PUPPET_SERVICE_TOKEN ? SERVICE_PUPPET : MOCK_PUPPET)
  if (name === MOCK_PUPPET) return { kind: 'sandbox' }
  // Wechaty's type lists the official puppets; at run time it imports whatever name it is given.
  if (name !== SERVICE_PUPPET) return { kind: 'wechat', name, puppet: name as PuppetModuleName }
  const token = env.WECHATY_PUPPET_SERVICE_TOKEN
  // readEnvironment() already refuses this, naming the variable.
  if (!token) throw new Error('WECHATY_PUPPET=wechaty-puppet-service 需要 WECHATY_PUPPET_SERVICE_TOKEN')
  return { kind: 'wechat', name, puppet: servicePuppet({ ...env, WECHATY_PUPPET_SERVICE_TOKEN: token }) }
}

/**
 * Whether the bot is logged in, false before it has a puppet. Wechaty's own `isLoggedIn` emits an
 * 'error' event when asked that early, which would be logged as a fault.
 */
export function isLoggedIn(bot: Wechaty): boolean {
  const puppet = (bot as unknown as { __puppet?: { isLoggedIn: boolean } }).__puppet
  return puppet?.isLoggedIn ?? false
}
