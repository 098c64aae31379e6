/**
 * End-to-end harness for the real Wechaty wire protocol.
 *
 * A `PuppetMock` (wechaty-puppet-mock) is served over gRPC by `PuppetServer`
 * (wechaty-puppet-service) on 127.0.0.1, TLS disabled. A bot under test
 * connects with an ordinary `PuppetService` client — exactly the code path it
 * uses in production against a puppet-service provider — using the
 * `puppetOptions` returned by `startMockWechat()`.
 *
 * The test drives "WeChat" through `mocker` (create contacts/rooms, log the bot
 * in, make contacts speak) and observes what the bot says with
 * `collectRoomMessages(room)`.
 *
 * Facts established against wechaty 1.20.2 / wechaty-puppet-service 1.19.9 /
 * wechaty-puppet-mock 1.19.4 (see test/transport.e2e.test.ts):
 *
 *  - Token: must contain an `_` (the part before the last `_` becomes the TLS
 *    SNI, checked even with TLS disabled). We use `insecure_<uuid>`. With an
 *    explicit `endpoint` the client never contacts the wechaty discovery service
 *    (discovery is only used when endpoint is unset: `wechaty://api.chatie.io/<token>`).
 *    Without TLS the token travels as the HTTP/2 `:authority` header and the server
 *    compares it verbatim.
 *  - The PuppetService client keeps a LevelDB payload cache under
 *    `~/.wechaty/wechaty-puppet-service/<token>/` — one directory per token. Call
 *    `removePayloadCache(token)` (done by `stop()`) so test runs do not pile up
 *    directories in $HOME.
 *  - When the bot stops, the client calls the gRPC `stop` RPC, which STOPS the
 *    server-side mock puppet and LOGS THE MOCK USER OUT (the bot also sees a
 *    'logout'). With `stickyLogin` (default) the mock logs the same user in again on
 *    the next start, so a restarted bot gets 'login' by itself; otherwise call
 *    `login(user)` again.
 *  - Events emitted while no bot is connected are dropped by the server: there is
 *    no backlog. Old messages can still be fetched by id (`bot.Message.find({ id })`)
 *    with their original id and date.
 *  - The bot's puppet has a watchdog (`timeoutSeconds`, default 60 s) fed by any
 *    incoming gRPC event. The stock mock sends none when idle, so an idle bot would
 *    be reset (stop+start → logged out) every 60 s; the server here emits a
 *    `heartbeat` every `heartbeatMs` like real providers do.
 *  - `restart()`: the server comes back on the same port with the same puppet,
 *    mocker and login; the running bot does NOT notice — its event stream is dead
 *    (no incoming messages, still `isLoggedIn`), outgoing calls work again at once.
 *    A stock PuppetService recovers only when its watchdog fires after `timeoutSeconds`
 *    and resets the puppet (logout, then login via stickyLogin); the project's
 *    ResilientPuppetService resets on the stream's end (gRPC CANCELLED, at once), 1 s
 *    later. Messages in between are lost.
 *    The reset emits 'error' events ("1 CANCELLED: Call cancelled", "WatchdogAgent
 *    reset ...") on the bot: a Wechaty with no 'error' listener CRASHES the process.
 *  - Stop the bot before the server (stopping the server first also works; a bot left
 *    running or a server left listening keeps a plain node/tsx process alive — vitest's
 *    forks pool kills its workers anyway).
 *  - Mock contacts can only send FileBoxes that support `toJSON()` (base64/url/qrcode):
 *    use `mockFile(buffer, name)`, not `FileBox.fromBuffer()`.
 *  - Quotes and recalls in the providers' shapes: `quoteText()`, `sayQuoteXml()`, `recall()`
 *    (see "Message shapes providers deliver" below and test/e2e/mock-shapes.e2e.test.ts).
 */
import { randomUUID } from 'node:crypto'
import type { EventEmitter } from 'node:events'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import { FileBox, type FileBoxInterface } from 'file-box'
import * as PUPPET from 'wechaty-puppet'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { PuppetServer } from 'wechaty-puppet-service'

export type Mocker = mock.Mocker
export type ContactMock = mock.ContactMock
export type RoomMock = mock.RoomMock
export type MessageMock = mock.MessageMock

/** What a bot needs to build its `PuppetService` (`new PuppetService(puppetOptions)`). */
export interface MockPuppetServiceOptions {
  [option: string]: unknown
  endpoint : string
  token    : string
  tls      : { disable: boolean }
  /** the client puppet's watchdog: reset (stop+start) after this many seconds without any event. Default 60. */
  timeoutSeconds? : number
}

export interface WirePuppetMockOptions {
  mocker       : Mocker
  /** see StartMockWechatOptions.heartbeatMs */
  heartbeatMs  : number
  /** see StartMockWechatOptions.stickyLogin */
  stickyLogin  : boolean
}

/**
 * PuppetMock adapted to being served over gRPC:
 *  - files arriving from the client are gRPC *stream* FileBoxes that the mock cannot
 *    `toJSON()`; convert them to base64 FileBoxes first;
 *  - the stock mock drops `mentionIdList` of `messageSendText`; forward it, so the
 *    mock room sees which contacts the bot @-mentioned;
 *  - return the created message id (the stock mock returns void), so the bot's
 *    `room.say()` resolves to a Message like it does against a real provider;
 *  - emit a periodic `heartbeat` (like real providers do) — otherwise an idle bot's
 *    puppet watchdog (60 s by default) fires and resets the client;
 *  - optional "sticky login": after a stop()/start() (which every bot stop, bot
 *    reconnect and watchdog reset triggers over gRPC) log the last user in again,
 *    like a real provider that keeps its WeChat session.
 */
export class WirePuppetMock extends PuppetMock {

  private heartbeatTimer?: ReturnType<typeof setInterval>
  private lastUserId?: string
  /** How long the provider takes to hand over a picture or file (some take seconds). */
  fileDelayMs = 0
  /** How long the provider takes to list the account's groups (a big account's, at login). */
  roomListDelayMs = 0
  /** Groups whose member lists the provider fails to give (as some do while they sync). */
  readonly roomMembersFailFor = new Set<string>()
  /** Group nicknames (群昵称), by room and member; the stock mock has none. */
  private readonly roomAliases = new Map<string, Map<string, string>>()
  /** How many times the bot asked for a group member's details (tests count them). */
  roomMemberRequests = 0

  constructor (private readonly wireOptions: WirePuppetMockOptions) {
    super({ mocker: wireOptions.mocker })
    this.on('login', ({ contactId }) => { this.lastUserId = contactId })
    this.on('start', () => this.relogin())
  }

  override async onStart (): Promise<void> {
    await super.onStart()
    if (this.wireOptions.heartbeatMs > 0) {
      this.heartbeatTimer = setInterval(
        () => this.emit('heartbeat', { data: 'wire-puppet-mock heartbeat' }),
        this.wireOptions.heartbeatMs,
      )
      this.heartbeatTimer.unref()
    }
  }

  override async onStop (): Promise<void> {
    if (this.heartbeatTimer) {
      clearInterval(this.heartbeatTimer)
      this.heartbeatTimer = undefined
    }
    await super.onStop()
  }

  /** called on the `start` event, i.e. once start() has completed */
  private relogin (): void {
    const userId = this.lastUserId
    if (this.wireOptions.stickyLogin && userId && !this.isLoggedIn) {
      this.login(userId)
    }
  }

  /** an explicit logout (e.g. the bot calls `bot.logout()`) ends the sticky session */
  override async logout (reason?: string): Promise<void> {
    this.lastUserId = undefined
    await super.logout(reason)
  }

  override async roomMemberRawPayload (roomId: string, contactId: string): Promise<any> {
    this.roomMemberRequests++
    const payload = await super.roomMemberRawPayload(roomId, contactId)
    const roomAlias = this.roomAliases.get(roomId)?.get(contactId)
    return roomAlias ? { ...payload, roomAlias } : payload
  }

  /** A member sets their group nickname: a provider then says the room's members are dirty. */
  setRoomAlias (roomId: string, contactId: string, alias: string): void {
    let aliases = this.roomAliases.get(roomId)
    if (!aliases) this.roomAliases.set(roomId, (aliases = new Map()))
    aliases.set(contactId, alias)
    this.dirtyPayload(PUPPET.types.Dirty.RoomMember, roomId)
  }

  override async roomList (): Promise<string[]> {
    if (this.roomListDelayMs > 0) await new Promise(resolve => setTimeout(resolve, this.roomListDelayMs))
    return super.roomList()
  }

  override async roomMemberList (roomId: string): Promise<string[]> {
    if (this.roomMembersFailFor.has(roomId)) throw new Error('room members are not available yet')
    return super.roomMemberList(roomId)
  }

  override async messageFile (id: string): Promise<FileBoxInterface> {
    if (this.fileDelayMs > 0) await new Promise(resolve => setTimeout(resolve, this.fileDelayMs))
    return super.messageFile(id)
  }

  override async messageImage (id: string, type: PUPPET.types.Image): Promise<FileBoxInterface> {
    if (this.fileDelayMs > 0) await new Promise(resolve => setTimeout(resolve, this.fileDelayMs))
    return super.messageImage(id, type)
  }

  /**
   * Runs `send` (which synchronously creates one mock message) and returns its id: the first
   * message the mocker stores meanwhile. (The mocker keeps every message, so finding the newest
   * by walking its store slowed each send as a test went on.)
   */
  private captureNewMessageId (send: () => void): string | undefined {
    const mocker = this.mocker
    const store = mocker.messagePayload
    let created: string | undefined
    mocker.messagePayload = function (this: Mocker, id: string, payload?: PUPPET.payloads.Message) {
      if (payload && created === undefined) created = id
      return (store as (id: string, payload?: PUPPET.payloads.Message) => PUPPET.payloads.Message | void).call(this, id, payload)
    } as Mocker['messagePayload']
    try {
      send()
    } finally {
      mocker.messagePayload = store
    }
    return created
  }

  private loadConversation (conversationId: string): ContactMock | RoomMock {
    return /@/.test(conversationId)
      ? this.mocker.RoomMock.load(conversationId)
      : this.mocker.ContactMock.load(conversationId)
  }

  // @ts-expect-error the stock mock declares Promise<void>; the Puppet contract is Promise<void | string>
  override async messageSendText (
    conversationId : string,
    text           : string,
    mentionIdList? : string[],
  ): Promise<void | string> {
    if (!this.isLoggedIn) {
      throw new Error('not logged in')
    }
    const user = this.mocker.ContactMock.load(this.currentUserId)
    const conversation = this.loadConversation(conversationId)
    const mentions = (mentionIdList ?? []).map(id => this.mocker.ContactMock.load(id))
    return this.captureNewMessageId(() => user.say(text, mentions).to(conversation))
  }

  // @ts-expect-error the stock mock declares Promise<void>; the Puppet contract is Promise<void | string>
  override async messageSendFile (
    conversationId : string,
    file           : FileBoxInterface,
  ): Promise<void | string> {
    if (!this.isLoggedIn) {
      throw new Error('not logged in')
    }
    const materialized = FileBox.fromBase64(await file.toBase64(), file.name)
    const user = this.mocker.ContactMock.load(this.currentUserId)
    const conversation = this.loadConversation(conversationId)
    return this.captureNewMessageId(() => user.say(materialized).to(conversation))
  }

}

export interface MockWechat {
  mocker   : Mocker
  /** the server-side puppet (a PuppetMock subclass); `puppet.isLoggedIn` etc. */
  puppet   : WirePuppetMock
  port     : number
  /** `127.0.0.1:<port>` */
  endpoint : string
  token    : string
  /** pass to `new PuppetService(puppetOptions)` */
  puppetOptions : MockPuppetServiceOptions
  /**
   * (Re-)log the given contact in as the bot's account; no-op if it is already logged in.
   * Needed after every bot (re)start, because a bot's stop logs the mock user out.
   */
  login (user: ContactMock): void
  /** Stop the gRPC server, the mock puppet, and remove the client's payload cache dir for this token. */
  stop     (): Promise<void>
  /**
   * Stop and start the gRPC server again on the same port, keeping the same
   * PuppetMock and mocker (contacts, rooms, messages, login state all survive),
   * after `downMs` without a server (default 0: at once).
   */
  restart  (downMs?: number): Promise<void>
}

export async function getFreePort (host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen(0, host, () => {
      const address = srv.address()
      if (!address || typeof address === 'string') {
        srv.close()
        reject(new Error('could not determine a free port'))
        return
      }
      srv.close(() => resolve(address.port))
    })
  })
}

/** The directory where PuppetService caches payloads for a token (see payload-store.js). */
export function payloadCacheDir (token: string): string {
  return path.join(os.homedir(), '.wechaty', 'wechaty-puppet-service', token)
}

export function removePayloadCache (token: string): void {
  fs.rmSync(payloadCacheDir(token), { force: true, recursive: true })
}

/**
 * The stock mock types a file message from the FileBox media type and only knows
 * image/png, image/jpeg, video/mp4 and audio/silk: every other file (text/plain, pdf,
 * xlsx, docx, gif…) becomes `Unknown` (its `.txt/.pdf/.doc` branch is unreachable
 * because FileBox always infers a media type from the name). Real WeChat delivers
 * those as `Attachment`, so reclassify: image/* -> Image, video/* -> Video,
 * audio/* -> Audio, anything else -> Attachment. Applies to files sent by mock
 * contacts and by the bot alike.
 */
function patchFileMessageTypes (mocker: Mocker): void {
  const original = mocker.messagePayload.bind(mocker) as (id: string, payload?: PUPPET.payloads.Message) => unknown
  const patched = (id: string, payload?: PUPPET.payloads.Message): unknown => {
    if (payload && payload.type === PUPPET.types.Message.Unknown) {
      const json = mocker.cacheFileBoxPayload.get(id)
      if (json) {
        const box = FileBox.fromJSON(json)
        const mediaType = box.mediaType
        payload.filename = box.name // as providers give a file's name
        payload.type = mediaType.startsWith('image/') ? PUPPET.types.Message.Image
          : mediaType.startsWith('video/') ? PUPPET.types.Message.Video
            : mediaType.startsWith('audio/') ? PUPPET.types.Message.Audio
              : PUPPET.types.Message.Attachment
      }
    }
    return original(id, payload)
  }
  mocker.messagePayload = patched as typeof mocker.messagePayload
}

export interface StartMockWechatOptions {
  /** loopback port to listen on; default: a free one */
  port?        : number
  /**
   * interval of the server-side `heartbeat` event (ms); 0 disables it.
   * Default 10_000. Must be well below the bot's watchdog (`timeoutSeconds`, default 60 s).
   */
  heartbeatMs? : number
  /**
   * Re-login the last logged-in user whenever the mock puppet is (re)started —
   * which happens on every bot start/reconnect/watchdog reset. Default true
   * (models a provider that keeps its WeChat session). With false, a bot that
   * stops or resets comes back logged out until you `login()` again.
   */
  stickyLogin? : boolean
}

export async function startMockWechat (opts: StartMockWechatOptions = {}): Promise<MockWechat> {
  const port = opts.port ?? await getFreePort()
  const endpoint = `127.0.0.1:${port}`
  const token = `insecure_${randomUUID()}`

  const mocker = new mock.Mocker()
  patchFileMessageTypes(mocker)
  const puppet = new WirePuppetMock({
    heartbeatMs : opts.heartbeatMs ?? 10_000,
    mocker,
    stickyLogin : opts.stickyLogin ?? true,
  })

  const newServer = () => new PuppetServer({
    endpoint,
    puppet,
    tls: { disable: true },
    token,
  })

  let server: PuppetServer | undefined = newServer()
  await server.start()

  const stopServer = async () => {
    const s = server
    server = undefined
    if (s) {
      await s.stop()
    }
  }

  return {
    endpoint,
    login (user: ContactMock) {
      if (puppet.isLoggedIn) {
        if (puppet.currentUserId === user.id) {
          return
        }
        throw new Error(`mock puppet already logged in as ${puppet.currentUserId}`)
      }
      mocker.login(user)
    },
    mocker,
    port,
    puppet,
    puppetOptions: { endpoint, tls: { disable: true }, token },
    async restart (downMs = 0) {
      await stopServer()
      if (downMs > 0) {
        await new Promise(resolve => setTimeout(resolve, downMs))
      }
      server = newServer()
      await server.start()
    },
    async stop () {
      await stopServer()
      if (puppet.state.active()) {
        await puppet.stop()
      }
      removePayloadCache(token)
    },
    token,
  }
}

/* -------------------------------------------------------------------------- */
/* Observing the mock side                                                     */
/* -------------------------------------------------------------------------- */

export interface SeenMessage {
  id        : string
  talkerId  : string
  text      : string
  type      : PUPPET.types.Message
  /** human readable `PUPPET.types.Message[type]`, e.g. 'Text', 'Image', 'Attachment' */
  typeName  : string
  /** ids the message @-mentions (present on room messages; `[]` when none) */
  mentionIds? : string[]
  /** for file/image messages: the FileBox name */
  fileName? : string
  timestamp : number
}

export interface RoomMessageCollector {
  /** every message seen in the room, in order (bot's and contacts') */
  readonly messages: SeenMessage[]
  /**
   * Resolve with the first message matching `predicate`, considering messages
   * already collected from index `fromIndex` (default 0) and messages still to come.
   * Rejects after `timeoutMs` with an error that lists everything received.
   */
  waitFor (
    predicate : (m: SeenMessage) => boolean,
    timeoutMs? : number,
    fromIndex? : number,
  ): Promise<SeenMessage>
  /** stop listening */
  dispose (): void
}

function toSeenMessage (mocker: Mocker, msg: MessageMock): SeenMessage {
  const payload = msg.payload as PUPPET.payloads.Message
  const seen: SeenMessage = {
    id       : payload.id,
    talkerId : payload.talkerId ?? '',
    text     : payload.text ?? '',
    timestamp: payload.timestamp,
    type     : payload.type,
    typeName : PUPPET.types.Message[payload.type] ?? String(payload.type),
  }
  if ('mentionIdList' in payload) {
    seen.mentionIds = payload.mentionIdList ?? []
  }
  const fileJson = mocker.cacheFileBoxPayload.get(payload.id)
  if (fileJson) {
    seen.fileName = FileBox.fromJSON(fileJson).name
  }
  return seen
}

function describeMessages (messages: SeenMessage[]): string {
  if (messages.length === 0) {
    return '  (nothing)'
  }
  return messages.map((m, i) => [
    `  #${i} ${m.typeName} from ${m.talkerId}:`,
    JSON.stringify(m.text),
    m.mentionIds?.length ? `mentions=${JSON.stringify(m.mentionIds)}` : '',
    m.fileName ? `file=${m.fileName}` : '',
  ].filter(Boolean).join(' ')).join('\n')
}

export function collectRoomMessages (room: RoomMock, mocker?: Mocker): RoomMessageCollector {
  const messages: SeenMessage[] = []
  const waiters = new Set<(m: SeenMessage) => void>()
  const theMocker = mocker ?? room.mocker

  const listener = (msg: MessageMock) => {
    const seen = toSeenMessage(theMocker, msg)
    messages.push(seen)
    for (const w of [...waiters]) {
      w(seen)
    }
  }
  // RoomMock is a plain EventEmitter at runtime; its `typed-emitter` typing does not
  // resolve under NodeNext module resolution, hence the cast.
  const emitter = room as unknown as EventEmitter
  emitter.on('message', listener)

  return {
    dispose () {
      emitter.off('message', listener)
      waiters.clear()
    },
    messages,
    waitFor (predicate, timeoutMs = 5_000, fromIndex = 0) {
      const already = messages.slice(fromIndex).find(predicate)
      if (already) {
        return Promise.resolve(already)
      }
      return new Promise<SeenMessage>((resolve, reject) => {
        const waiter = (m: SeenMessage) => {
          if (predicate(m)) {
            clearTimeout(timer)
            waiters.delete(waiter)
            resolve(m)
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error([
            `collectRoomMessages(${room.id}).waitFor(): no matching message within ${timeoutMs} ms`
              + ` (looked from index ${fromIndex}). Received ${messages.length}:`,
            describeMessages(messages),
          ].join('\n')))
        }, timeoutMs)
        waiters.add(waiter)
      })
    },
  }
}

/**
 * Poll `check` until it returns truthy (resolves with that value) or time runs out.
 */
export async function waitUntil<T> (
  check     : () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 5_000,
  what      = 'condition',
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) {
      return value
    }
    if (Date.now() > deadline) {
      throw new Error(`waitUntil(${what}) timed out after ${timeoutMs} ms`)
    }
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}

/**
 * Silence wechaty's logger (one shared brolog instance from wechaty-puppet, used by
 * wechaty, wechaty-puppet-service and wechaty-puppet-mock). `WECHATY_LOG` is only read
 * when wechaty-puppet is first imported, so setting it later has no effect — call this
 * instead. An explicit `WECHATY_LOG` env var wins, so `WECHATY_LOG=verbose npx vitest …`
 * still works for debugging.
 */
export function quietWechatyLogs (level = process.env['WECHATY_LOG'] ?? 'silent'): void {
  PUPPET.log.level(level.toLowerCase() as Parameters<typeof PUPPET.log.level>[0])
}

/**
 * A FileBox a mock contact can send: `contact.say(fileBox)` calls `fileBox.toJSON()`,
 * which only works for base64/url/qrcode/uuid FileBoxes — `FileBox.fromBuffer()` or
 * `fromFile()` throw there. Use this for buffers.
 */
export function mockFile (data: Buffer, name: string): FileBoxInterface {
  return FileBox.fromBase64(data.toString('base64'), name)
}

/** A 1x1 PNG (70 bytes). */
export const TINY_PNG_BASE64
  = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

/* -------------------------------------------------------------------------- */
/* Message shapes providers deliver                                            */
/* -------------------------------------------------------------------------- */
/*
 * What puppet-service providers put in a message payload for a quote (引用) and a recall (撤回),
 * as found in their sources and issues:
 *  - A quote is WeChat's appmsg type 57. puppet-padlocal, puppet-wechat and wechatferry rewrite it
 *    to type Text, text `「displayname：content」\n- - - - - - - - - - - - - - -\ntitle` (the quoted
 *    message's id is lost; a quoted picture shows as 图片). Providers that do not parse it pass the
 *    XML through as the text: type Text (the Rock provider, puppet-supports #14) or, in some
 *    versions, type Unknown (padplus #306, padlocal before the fix of #58, donut-tester #78).
 *    Wechaty 1.x has no Quote type (wechaty #2464).
 *  - A recall is type Recalled, its text the recalled message's id: Wechaty's
 *    `message.toRecalled()` looks that id up with `Message.find({ id })`.
 */

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** A quote in the plain-text shape: the mock contact then says it like any text. */
export function quoteText (quotedName: string, quotedText: string, reply: string): string {
  return `「${quotedName}：${quotedText}」\n- - - - - - - - - - - - - - -\n${reply}`
}

/** A quote as WeChat's appmsg type 57 XML, laid out as WeChat sends it. */
export function quoteXml (
  conversationId : string,
  quoted         : { id: string; name: string; text: string; senderId?: string },
  reply          : string,
): string {
  const inGroup = conversationId.includes('@')
  return [
    '<?xml version="1.0"?>',
    '<msg>',
    '\t<appmsg appid="" sdkver="0">',
    `\t\t<title>${xmlEscape(reply)}</title>`,
    '\t\t<des />',
    '\t\t<action>view</action>',
    '\t\t<type>57</type>',
    '\t\t<showtype>0</showtype>',
    '\t\t<content />',
    '\t\t<url />',
    '\t\t<refermsg>',
    '\t\t\t<type>1</type>',
    `\t\t\t<svrid>${xmlEscape(quoted.id)}</svrid>`,
    // in a group <fromusr> is the group and <chatusr> the author; between two people the author is <fromusr>
    `\t\t\t<fromusr>${xmlEscape(inGroup ? conversationId : quoted.senderId ?? '')}</fromusr>`,
    inGroup && quoted.senderId ? `\t\t\t<chatusr>${xmlEscape(quoted.senderId)}</chatusr>` : '',
    `\t\t\t<displayname>${xmlEscape(quoted.name)}</displayname>`,
    '\t\t\t<msgsource>&lt;msgsource&gt;&lt;silence&gt;1&lt;/silence&gt;&lt;/msgsource&gt;</msgsource>',
    `\t\t\t<content>${xmlEscape(quoted.text)}</content>`,
    '\t\t</refermsg>',
    '\t\t<appattach>\n\t\t\t<totallen>0</totallen>\n\t\t\t<attachid />\n\t\t\t<fileext />\n\t\t</appattach>',
    '\t</appmsg>',
    '\t<scene>0</scene>',
    '</msg>',
  ].filter(Boolean).join('\n')
}

/**
 * Makes `from` send a message of any type and text into `to`, as a contact's say() does (the mock
 * room/contact emits it, so collectRoomMessages sees it) but with the payload a provider would
 * build. Returns the new message's id.
 */
export function deliverMessage (
  mocker : Mocker,
  from   : ContactMock,
  to     : RoomMock | ContactMock,
  fields : { type: PUPPET.types.Message; text: string },
): string {
  const base = { id: randomUUID(), talkerId: from.id, timestamp: Date.now(), ...fields }
  const payload: PUPPET.payloads.Message = to instanceof mocker.RoomMock
    ? { ...base, mentionIdList: [], roomId: to.id }
    : { ...base, listenerId: to.id }
  mocker.MessageMock.create(payload)
  mocker.puppet.emit('message', { messageId: payload.id })
  return payload.id
}

/**
 * Makes `from` quote a message in the appmsg XML shape. `quoted.id` becomes <svrid> (pass the
 * quoted message's id, e.g. what the bot's `room.say()` resolved to); `quoted.senderId`, the
 * author's WeChat id, becomes <chatusr>. By default the XML arrives as type Text, as most providers
 * that pass it through deliver it; `type: Unknown` is the other shape seen. `senderPrefix` puts
 * "wxid:\n" before the XML, as some providers do in groups. Returns the new message's id.
 */
export function sayQuoteXml (
  mocker  : Mocker,
  from    : ContactMock,
  to      : RoomMock | ContactMock,
  quoted  : { id: string; name: string; text: string; senderId?: string },
  reply   : string,
  options : { type?: PUPPET.types.Message.Text | PUPPET.types.Message.Unknown; senderPrefix?: boolean } = {},
): string {
  const xml = quoteXml(to.id, quoted, reply)
  return deliverMessage(mocker, from, to, {
    text: options.senderPrefix ? `${from.id}:\n${xml}` : xml,
    type: options.type ?? PUPPET.types.Message.Text,
  })
}

/**
 * Makes `from` recall a message: delivers a Recalled message whose text is the recalled message's
 * id, as Wechaty expects (`message.toRecalled()`). The recalled message stays findable by id, as
 * providers keep it. Returns the recall message's id.
 */
export function recall (
  wechat            : MockWechat,
  from              : ContactMock,
  to                : RoomMock | ContactMock,
  originalMessageId : string,
): string {
  return deliverMessage(wechat.mocker, from, to, { text: originalMessageId, type: PUPPET.types.Message.Recalled })
}
