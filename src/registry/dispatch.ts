// The message pipeline without WeChat: a message in, at most one reply out.
// Dedup, normalising, roles, scope, half-written commands, errors: all here, once.
import type { Clock } from '../time.ts'
import { formatTime } from '../time.ts'
import type { Database } from '../db/index.ts'
import { together } from '../db/together.ts'
import { untilReachable } from '../db/unreachable.ts'
import type { Actor, Conversation } from '../config/township.ts'
import { Township } from '../config/township.ts'
import { UserError } from '../errors.ts'
import { errorCode, type Logger } from '../log.ts'
import { Args } from './args.ts'
import type { Policy } from '../config/schema.ts'
import type { OutgoingFile } from '../outgoing.ts'
import type { CommandContext, CommandDefinition, CommandReply, IncomingFile, Mention } from './define.ts'
import { ArgumentError, NeedMore, Suggestion } from './errors.ts'
import type { Registry } from './registry.ts'
import { RateLimiter } from './rate-limit.ts'
import { Inbox, Prompts } from './state.ts'
import { processId } from '../process-id.ts'
import type { Quote } from './quote.ts'
import { cutText, normalizeText, splitCommand, tokenize, wellFormed } from './text.ts'

/**
 * What is known of a message the moment it arrives, without asking WeChat anything more:
 * stored before any other work, so that a crash loses nothing WeChat has delivered.
 */
export interface Arrival {
  id: string
  /** The room's id, or the contact's id for a private chat. */
  conversationId: string
  inRoom: boolean
  talkerId: string
  kind: 'text' | 'photo' | 'file' | 'recall' | 'other'
  /** As WeChat gave it ('' for a picture). */
  text: string
  sentAt: Date
}

/**
 * The rest of a message, which takes time (the group, names, a picture's bytes); undefined
 * when it is not for the assistant (a group it does not serve, a stranger's private chat).
 */
export type LoadMessage = () => Promise<IncomingMessage | undefined>

export interface IncomingMessage {
  id: string
  /** The room's id, or the contact's id for a private chat. */
  conversationId: string
  where: Conversation
  talkerId: string
  talkerName: string
  /** The text with any @-mention of the bot already removed ('' for a picture). */
  text: string
  /** A picture's bytes, or 'unavailable' when it could not be fetched in time or was too big. */
  photo?: Buffer | 'unavailable'
  /** A file that may be imported (an .xlsx), or 'unavailable' when it could not be fetched. */
  file?: IncomingFile | 'unavailable'
  mentionedSelf: boolean
  /** Others @-mentioned, by WeChat's own list. */
  mentions?: Mention[]
  /** A quote (引用) of an earlier message; `text` is then the reply written under it. */
  quote?: Quote
  /** A recall (撤回): the id of the message taken back. */
  recalledId?: string
  /** A message the bot cannot read (a voice, a video, a file it does not take, a sticker). */
  unreadable?: 'voice' | 'video' | 'file' | 'sticker'
  sentAt: Date
}

/** What a workflow step made of a message: the reply ('' for none) and the log's outcome. */
export type Handled = { reply: CommandReply; outcome: string } | undefined

/**
 * What happens to messages that are not commands, owned by the composition root's workflows:
 * the framework routes them here and knows nothing of photos, groups or files.
 */
export interface MessageHooks<S> {
  /** A picture from someone in a bound group or a private chat. */
  photo(message: IncomingMessage, actor: Actor, services: S): Promise<Handled>
  /** A file (an .xlsx): kept for /导入. */
  file(message: IncomingMessage, actor: Actor, services: S): Promise<Handled>
  /**
   * A message in a group not bound yet: the group's binding if it can be made now (the config
   * names it by topic), else undefined, and then the bot stays silent but for /绑定.
   */
  unboundGroup(message: IncomingMessage & { where: { kind: 'unbound' } }, services: S): Promise<Conversation | undefined>
  /**
   * A quote: the command the reply stands for once the quoted message is known to be the
   * bot's own ("已完成" under "📝 已登记 #12" → "/整改 12 已完成"), a question back, 'as written'
   * (the bot's message, but the reply stands alone: an answer to its question), or undefined when
   * the quoted message is not the bot's (then it is ordinary chat). Permissions and scope apply
   * to the command as always.
   */
  quote(message: IncomingMessage & { quote: Quote }, actor: Actor, services: S): Promise<{ command: string; confirm?: string } | { reply: string } | 'as written' | undefined>
  /** A recall: what the recalled message (as the inbox stored it) did is undone. */
  recall(message: IncomingMessage & { recalledId: string }, original: { talkerId: string; sentAt: Date; text: string } | undefined, actor: Actor, services: S): Promise<Handled>
}

export interface Reply {
  text: string
  /** @-mention the sender (in groups). */
  mention: boolean
  /** A picture or file sent after the text. */
  file?: OutgoingFile
}

/** What the framework itself needs of the services: who may act where, and the limits. */
export interface DispatchServices {
  township: Township
  policy: Policy
}

export interface DispatcherDeps<S extends DispatchServices> {
  db: Database
  replies: ReplySink
  /** Default: the deps' own db, services and replies, with no transaction. */
  inScope?: RunInScope<S>
  registry: Registry
  services: S
  hooks: MessageHooks<S>
  clock: Clock
  logger: Logger
  /** Set where several processes share the database (PostgreSQL); see SharedInbox. */
  shared?: SharedInbox
}

/**
 * Several processes on one database, logged into the same account, each receiving every
 * message: the one that stores a message first claims and handles it; the others see a
 * duplicate. Claims are renewed while the process lives, and the rows of one whose claims ran
 * out (it died) are taken over, once, by another.
 */
export interface SharedInbox {
  /** This process, as claims name it (the same name as on its sending lease). */
  holder: string
  /** How long a claim holds without renewal: a dead process's messages wait this long. */
  ttlMs: number
  /** How often claims are renewed and dead processes' messages looked for. */
  renewMs: number
  /**
   * Waits, inside a message's transaction, until no other process handles a message of the same
   * conversation (so two are never handled at once, though their order across processes is
   * whichever took the lock first).
   */
  lockConversation?(db: Database, conversationId: string): Promise<void>
}

/** The message was taken over (or handled) by another process meanwhile: this handling is rolled back. */
class NotOurs extends Error {}

export interface Dispatch {
  /**
   * The one way a message enters: stored at once (a redelivered id is ignored), then handled
   * in its conversation's order once `load` resolved. `load` starts now, so a slow picture
   * downloads while earlier messages are handled, and never overtakes or falls behind them.
   * Resolves with the reply it queued.
   */
  arrive(arrival: Arrival, load: LoadMessage): Promise<Reply | undefined>
  /** A message whose details are already at hand (tests, the sandbox): arrive() with them. */
  (message: IncomingMessage): Promise<Reply | undefined>
  /**
   * At start: messages stored before `before` and never handled (the process died) are handled,
   * each conversation's before anything that arrives now; `load` fetches what was not stored
   * (a picture again by its message id). Resolves with how many there were, once queued.
   */
  recover(before: Date, load: (arrival: Arrival) => Promise<IncomingMessage | undefined>): Promise<number>
  /**
   * Stops renewing claims and looking for dead processes' messages, and gives up the claims on
   * messages not handled yet, so another process need not wait for them to run out (shared
   * databases only; a handling still under way is then rolled back if another takes it over).
   */
  stop(): Promise<void>
}

/** Where replies go: the outbox, before the message is marked handled. */
export interface ReplySink {
  send(message: IncomingMessage, reply: Reply): Promise<void>
}

/** The database, services and reply sink one message is handled with. */
export interface MessageScope<S> {
  db: Database
  services: S
  replies: ReplySink
}

/**
 * Runs one message's handling, e.g. in one database transaction, so that its effects, its
 * reply and its "handled" mark are written together or not at all.
 */
export type RunInScope<S> = <T>(work: (scope: MessageScope<S>) => Promise<T>) => Promise<T>

/** Short answers to a yes/no question, as people write them. */
const YES = ['是', '是的', '对', '对的', '好', '好的', '行', '可以', '确认', '确定', '嗯', '👌', 'OK', 'ok', '👍']
const NO = ['不是', '不对', '不', '不用', '取消', '算了', '不要']

export function createDispatcher<S extends DispatchServices>({ db, registry, services, hooks, clock, logger, replies, inScope, shared }: DispatcherDeps<S>): Dispatch {
  const inbox = new Inbox(db)
  const holder = shared?.holder ?? processId()
  const claimTtlMs = shared?.ttlMs ?? 60_000
  const claimUntil = () => new Date(clock().getTime() + claimTtlMs)
  /** Messages this process has claimed and not finished: their claims are renewed. */
  const inHand = new Set<string>()
  const { township, policy } = services
  const runInScope: RunInScope<S> = inScope ?? ((work) => work({ db, services, replies }))
  // One conversation's messages are handled in order (a question, then its answer);
  // different conversations do not wait for each other.
  const queues = new Map<string, Promise<unknown>>()
  const limiter = new RateLimiter(policy)

  async function runCommand(command: CommandDefinition, argText: string, ctx: CommandContext<S>, message: IncomingMessage, prompts: Prompts): Promise<CommandReply> {
    const { actor } = ctx
    if (!command.roles.includes(actor.role)) {
      const hint = actor.role === 'resident' ? '发现问题可以告诉本村网格员或村干部；发 /台账 可查看整改进度。' : '发 /帮助 查看您可以用的命令。'
      return `抱歉，/${command.name} 只有${Township.describeRoles(command.roles)}可以使用。${hint}`
    }
    try {
      const raw = command.parse(new Args(argText, township), ctx)
      const parsed = command.schema.safeParse(raw)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!
        const value = issue.path.reduce<unknown>((obj, key) => (obj as Record<PropertyKey, unknown> | undefined)?.[key], raw)
        throw value === undefined ? new NeedMore(issue.message) : new ArgumentError(issue.message)
      }
      return await command.run(parsed.data, ctx)
    } catch (error) {
      if (error instanceof NeedMore) {
        const expiresAt = new Date(ctx.now.getTime() + policy.promptMinutes * 60_000)
        await prompts.set(message.conversationId, message.talkerId, { commandName: command.name, argText, question: error.message, answerFirst: error.answerFirst }, expiresAt)
        return `${error.message}\n（直接回复即可，${policy.promptMinutes} 分钟内有效；发 /取消 放弃）`
      }
      if (error instanceof Suggestion) {
        // 是 goes on with the word it meant; anything else is read afresh.
        const corrected = tokenize(argText).map((w) => (w === error.word ? error.replacement : w)).join(' ')
        const expiresAt = new Date(ctx.now.getTime() + policy.promptMinutes * 60_000)
        await prompts.set(message.conversationId, message.talkerId, { commandName: command.name, argText: corrected, question: error.message, answerFirst: false, confirmOnly: true }, expiresAt)
        return `${error.message}回复「是」就按「${error.replacement}」办理。\n写法：${command.usage}`
      }
      if (error instanceof ArgumentError) return `${error.message}\n写法：${command.usage}`
      if (error instanceof UserError) return error.message
      throw error
    }
  }

  function contextFor(actor: Actor, message: IncomingMessage, now: Date, services: S, prompts: Prompts): CommandContext<S> {
    return {
      actor,
      where: message.where,
      mentions: message.mentions ?? [],
      messageId: message.id,
      conversationId: message.conversationId,
      now,
      services,
      registry,
      villageOrAsk(named) {
        if (named) return named
        if (message.where.kind === 'village') return message.where.village
        if (actor.role !== 'resident' && actor.villages.length === 1) return actor.villages[0]!
        throw new NeedMore(`请写明是哪个村：${township.villageNames.join('、')}`)
      },
      dropPrompt: () => prompts.clear(message.conversationId, message.talkerId),
      requireScope(village) {
        if (actor.villages.includes(village)) return
        const own = actor.villages.length > 0 ? `您负责的是${actor.villages.join('、')}，` : ''
        throw new UserError(`抱歉，${own}不能处理${village}的记录。请${village}的村干部或包村干部办理。`)
      },
    }
  }

  async function respond(arrived: IncomingMessage, written: string, now: Date, tooLong: boolean, scope: MessageScope<S>): Promise<Handled> {
    let message = arrived
    let text = written
    if (message.where.kind === 'unbound') {
      const where = await hooks.unboundGroup(message as IncomingMessage & { where: { kind: 'unbound' } }, scope.services)
      if (where) message = { ...message, where }
    }
    const prompts = new Prompts(scope.db)
    const actor = township.actor(message.talkerId, message.talkerName, message.where)
    // A quote addresses the bot only when it quotes the bot's own message.
    const meant = message.quote && message.where.kind !== 'unbound' ? await hooks.quote(message as IncomingMessage & { quote: Quote }, actor, scope.services) : undefined
    const addressed = message.mentionedSelf || meant !== undefined
    // Where the bot stays silent (a group not bound yet; a private chat with someone who holds
    // no role), only the commands made for it are heard.
    const unbound = message.where.kind === 'unbound'
    const stranger = message.where.kind === 'private' && !actor.registered
    const plain = message.photo || message.file || message.recalledId || message.unreadable ? undefined : splitCommand(text, registry.words)
    if (unbound || stranger) {
      const command = plain ? registry.find(plain.head) : undefined
      const heard = command && (unbound ? command.inUnboundGroups : command.fromStrangers)
      if (!heard) return { reply: '', outcome: unbound ? 'unbound group' : 'stranger' }
    }
    // A county's group asks about the county only: a township's commands, photos and files are not for it.
    if (message.where.kind === 'county') {
      const command = plain ? registry.find(plain.head) : undefined
      if (!command?.inCountyGroup) {
        if (!plain?.slash && !addressed) return { reply: '', outcome: 'county group' }
        const heard = registry.commands.filter((c) => c.inCountyGroup).map((c) => `/${c.name}`)
        return { reply: `县级工作群里可以用：${heard.join('、')}。发 /帮助 看写法。`, outcome: 'county group' }
      }
    }
    // Whatever would make the bot act counts against the flood limits (recalls too); ordinary chat does not.
    if (message.photo || message.file || message.recalledId || plain || addressed) {
      const verdict = limiter.check(message.conversationId, message.talkerId, now.getTime())
      if (verdict === 'silent') return { reply: '', outcome: 'rate limited' }
      if (verdict === 'warn') return { reply: '您发得太快了，请过一分钟再发。这段时间发的命令不会处理。', outcome: 'rate limited' }
    }
    if (tooLong && (plain || addressed)) {
      return { reply: `消息太长了（超过 ${policy.maxTextLength} 字），没有处理。请把内容分成几条发送。`, outcome: 'too long' }
    }
    if (message.photo) return hooks.photo(message, actor, scope.services)
    if (message.file) return hooks.file(message, actor, scope.services)
    if (message.recalledId) {
      const original = await new Inbox(scope.db).find(message.recalledId)
      return hooks.recall(message as IncomingMessage & { recalledId: string }, original ?? undefined, actor, scope.services)
    }
    const waitingOn = () => prompts.get(message.conversationId, message.talkerId, now)
    if (message.unreadable) {
      // Answered only when addressed to the bot: a private chat, or a question it is waiting on.
      if (message.unreadable === 'sticker' || (message.where.kind !== 'private' && !(await waitingOn()))) return undefined
      const reply = message.unreadable === 'voice' ? '请打字发送，例如 /整改 卫华村 已完成' : '助手只看得懂文字、照片和 Excel 表格（.xlsx）。请打字发送，例如 /台账 卫华村'
      return { reply, outcome: `unreadable ${message.unreadable}` }
    }
    if (meant && meant !== 'as written') {
      if ('reply' in meant) return { reply: meant.reply, outcome: 'quote question' }
      if (meant.confirm) {
        const word = splitCommand(meant.command, registry.words)
        const command = word ? registry.find(word.head) : undefined
        if (command) {
          const expiresAt = new Date(now.getTime() + policy.promptMinutes * 60_000)
          await prompts.set(message.conversationId, message.talkerId, { commandName: command.name, argText: word!.rest, question: meant.confirm, answerFirst: false, confirmOnly: true }, expiresAt)
          return { reply: `${meant.confirm}回复「是」确认，「不是」放弃。`, outcome: 'quote confirm' }
        }
      }
      text = meant.command
    }
    const split = splitCommand(text, registry.words) ?? (addressed ? impliedCommand(text) : undefined)
    const command = split ? registry.find(split.head) : undefined
    const ctx = contextFor(actor, message, now, scope.services, prompts)
    const runIt = async (found: CommandDefinition, rest: string): Promise<Handled> => {
      // A command stands on its own: any question left waiting is dropped (/取消 drops it itself).
      // Dropped as the command starts, not waited for: its statements follow on the same
      // connection (one round trip on PostgreSQL), and a command that asks anew asks after it.
      const [, reply] = await together([found.name !== '取消' && prompts.clear(message.conversationId, message.talkerId), runCommand(found, rest, ctx, message, prompts)])
      return { reply, outcome: found.name }
    }
    // A short answer (确认, 取消 are command words too) may answer a yes/no question; any other
    // command is run without looking for one.
    const shortAnswer = YES.includes(text) || NO.includes(text)
    if (split && command && !shortAnswer) return runIt(command, split.rest)
    const pending = text.length > 0 ? await waitingOn() : undefined
    if (pending?.confirmOnly) {
      // A yes/no question: 是 goes on as asked, 不是 drops it, anything else is read afresh.
      await prompts.clear(message.conversationId, message.talkerId)
      const waiting = registry.find(pending.commandName)
      if (YES.includes(text) && waiting) return { reply: await runCommand(waiting, pending.argText, ctx, message, prompts), outcome: waiting.name }
      if (NO.includes(text)) return { reply: '好的，已放弃。', outcome: 'declined' }
    }
    if (split && command) return runIt(command, split.rest)
    if (pending && !pending.confirmOnly) {
      await prompts.clear(message.conversationId, message.talkerId)
      if (NO.includes(text)) return { reply: '好的，已取消。', outcome: 'declined' }
      const waiting = registry.find(pending.commandName)
      const argText = pending.answerFirst ? `${text} ${pending.argText}` : `${pending.argText} ${text}`
      if (waiting) return { reply: await runCommand(waiting, argText, ctx, message, prompts), outcome: waiting.name }
    }
    if (split?.slash || addressed) {
      const near = split ? registry.nearest(split.head) : undefined
      const reply = near
        ? `没有「${split!.head}」这个命令。您是说 /${near.name} 吗？\n写法：${near.usage}\n例如：${near.examples[0]}`
        : `您好，我是${township.name}人居环境整治助手。发 /帮助 查看可以说什么，例如：/台账 卫华村`
      return { reply, outcome: 'unknown' }
    }
    return undefined
  }

  /**
   * Words addressed to the bot without a command word first ("@整治助手 卫华村 已完成"): a
   * command word anywhere leads, else a word a command declares it is implied by.
   */
  function impliedCommand(text: string): { slash: boolean; head: string; rest: string } | undefined {
    const words = tokenize(text)
    const i = words.findIndex((w) => registry.find(w))
    if (i >= 0) return { slash: false, head: words[i]!, rest: [...words.slice(0, i), ...words.slice(i + 1)].join(' ') }
    const implied = words.map((w) => registry.impliedBy(w)).find((c) => c !== undefined)
    return implied ? { slash: false, head: implied.name, rest: text } : undefined
  }

  /** What to answer (nothing, for chat); an unexpected failure is thrown, to roll its changes back. */
  async function replyTo(message: IncomingMessage, receivedAt: Date, scope: MessageScope<S>): Promise<{ reply?: Reply; outcome: string }> {
    const full = message.photo ? '[图片]' : normalizeText(message.text)
    const text = cutText(full, policy.maxTextLength)
    const result = await respond(message, text, receivedAt, full.length > policy.maxTextLength, scope)
    if (!result || result.reply === '') return { outcome: result?.outcome ?? 'ignored' }
    const late = receivedAt.getTime() - message.sentAt.getTime() > policy.lateAfterSeconds * 1000
    const prefix = late ? `（您 ${formatTime(message.sentAt)} 发的消息因助手离线，现在才处理）\n` : ''
    const { text: body, file } = typeof result.reply === 'string' ? { text: result.reply, file: undefined } : result.reply
    return { reply: { text: prefix + body, mention: message.where.kind !== 'private', file }, outcome: result.outcome }
  }

  /**
   * Handles a message taken into the inbox. Its effects, its reply (into the outbox) and its
   * "handled" mark are written in one scope (one transaction in production): a crash leaves
   * all of them or none, and a message not marked is handled at the next start.
   */
  async function handleAccepted(message: IncomingMessage, receivedAt: Date): Promise<Reply | undefined> {
    const started = Date.now()
    const finish = async (scope: MessageScope<S>, result: { reply?: Reply; outcome: string }) => {
      // The reply and the mark go together (one round trip on PostgreSQL); if the mark finds the
      // message no longer ours, throwing rolls both back.
      const [, ours] = await together([result.reply && scope.replies.send(message, result.reply), new Inbox(scope.db).done(message.id, result.outcome, clock(), holder)])
      if (!ours) throw new NotOurs()
      return result
    }
    let handled: { reply?: Reply; outcome: string }
    try {
      // Rolled back whole when the database drops out mid-way: tried again, not answered with an error.
      handled = await untilReachable(
        () =>
          runInScope(async (scope) => {
            // The lock is not waited for: the handling's statements follow it on the transaction's
            // connection, so the server runs each once the lock is held and nothing is read before
            // (one round trip fewer on PostgreSQL).
            const [, result] = await together([shared?.lockConversation?.(scope.db, message.conversationId), replyTo(message, receivedAt, scope)])
            return finish(scope, result)
          }),
        (err, attempt, delayMs) => logger.warn({ err, messageId: message.id, attempt, retryInMs: delayMs }, 'database out of reach: the message waits to be handled'),
      )
    } catch (error) {
      if (error instanceof NotOurs) {
        logger.info({ messageId: message.id }, 'message handled by another process')
        return undefined
      }
      // The command's changes are rolled back; the sender hears a short code, the log has the rest.
      const code = errorCode()
      logger.error({ err: error, messageId: message.id, code }, 'command failed')
      handled = { reply: { text: `系统出错（编号 ${code}），已记录。请稍后再试，或联系乡办公室。`, mention: message.where.kind !== 'private' }, outcome: `error ${code}` }
      await runInScope((scope) => finish(scope, handled)).catch((err: unknown) => logger.error({ err, messageId: message.id }, 'error reply failed'))
    }
    logger.info({ messageId: message.id, talker: message.talkerId, outcome: handled.outcome, ms: Date.now() - started }, 'message handled')
    return handled.reply
  }

  /** A stored message, handled once its details are loaded; marked handled whatever comes of it. */
  async function handleLoaded(id: string, loading: Promise<IncomingMessage | undefined>, receivedAt: Date): Promise<Reply | undefined> {
    let message: IncomingMessage | undefined
    try {
      message = await loading
    } catch (err) {
      logger.error({ err, messageId: id }, 'could not load a stored message')
      await inbox.done(id, 'unreadable', clock(), holder)
      return undefined
    }
    if (!message) {
      await inbox.done(id, 'not for the assistant', clock(), holder)
      return undefined
    }
    return handleAccepted({ ...message, text: wellFormed(message.text) }, receivedAt)
  }

  // Messages stored before this start and never handled, chained by conversation; anything
  // arriving now waits for its conversation's chain (see recover).
  let recovering: Promise<void> = Promise.resolve()
  const recovered = new Map<string, Promise<unknown>>()

  /** One conversation's messages in order; different conversations do not wait for each other. */
  function inOrder(conversationId: string, work: () => Promise<Reply | undefined>): Promise<Reply | undefined> {
    const previous = queues.get(conversationId) ?? recovering.then(() => recovered.get(conversationId))
    const next = previous.then(work)
    const settled = next.catch(() => undefined)
    queues.set(conversationId, settled)
    void settled.then(() => {
      if (queues.get(conversationId) === settled) queues.delete(conversationId)
    })
    return next
  }

  /** Runs the handling of a claimed message, its claim renewed meanwhile. */
  async function inHands<T>(messageId: string, work: () => Promise<T>): Promise<T> {
    inHand.add(messageId)
    try {
      return await work()
    } finally {
      inHand.delete(messageId)
    }
  }

  function arrive(arrival: Arrival, load: LoadMessage): Promise<Reply | undefined> {
    const receivedAt = clock()
    // Stored first, before anything is asked of WeChat; a replay within seconds is a duplicate.
    // With the database out of reach it is kept here, in its conversation's order, and stored once it is back.
    const stored = untilReachable(() => inbox.accept(
      {
        messageId: arrival.id,
        conversationId: arrival.conversationId,
        inRoom: arrival.inRoom,
        kind: arrival.kind,
        talkerId: arrival.talkerId,
        isPhoto: arrival.kind === 'photo',
        text: arrival.kind === 'photo' ? '[图片]' : arrival.kind === 'file' ? `[文件] ${arrival.text}` : cutText(wellFormed(arrival.text), policy.maxTextLength * 2),
        sentAt: arrival.sentAt,
        receivedAt,
      },
      policy.duplicateWindowSeconds,
      { holder, until: new Date(receivedAt.getTime() + claimTtlMs) },
    ), (err, attempt, delayMs) => logger.warn({ err, messageId: arrival.id, attempt, retryInMs: delayMs }, 'database out of reach: the message waits to be stored'))
    // Its claim is renewed from the moment it is stored, while it waits for its turn too.
    void stored.then((ok) => ok && inHand.add(arrival.id), () => undefined)
    const loading = load()
    // Looked at in the message's turn; until then a failure must not count as unhandled.
    loading.catch(() => undefined)
    return inOrder(arrival.conversationId, async () => {
      if (!(await stored)) {
        logger.info({ messageId: arrival.id, outcome: 'duplicate' }, 'message seen before')
        return undefined
      }
      return inHands(arrival.id, () => handleLoaded(arrival.id, loading, receivedAt))
    })
  }

  const dispatch = ((message: IncomingMessage) =>
    arrive(
      {
        id: message.id,
        conversationId: message.conversationId,
        inRoom: message.where.kind !== 'private',
        talkerId: message.talkerId,
        kind: message.photo ? 'photo' : message.file ? 'file' : message.recalledId ? 'recall' : 'text',
        text: message.recalledId ?? message.text,
        sentAt: message.sentAt,
      },
      async () => message,
    )) as Dispatch
  dispatch.arrive = arrive
  /** A stored row as it arrived. */
  const arrivalOf = (row: Awaited<ReturnType<Inbox['takeOver']>>[number]): Arrival => ({
    id: row.messageId,
    conversationId: row.conversationId,
    inRoom: row.inRoom,
    talkerId: row.talkerId,
    kind: row.kind === 'photo' || row.isPhoto ? 'photo' : row.kind === 'file' || row.kind === 'other' || row.kind === 'recall' ? row.kind : 'text',
    text: row.isPhoto ? '' : row.text,
    sentAt: row.sentAt,
  })
  let timers: ReturnType<typeof setInterval>[] = []
  dispatch.recover = (before, load) => {
    const queued = (async () => {
      // One process per database: what an earlier start left. Shared: what nobody alive holds.
      const rows = shared ? await inbox.takeOver(clock(), { holder, until: claimUntil() }) : await inbox.claimUnhandled(before, { holder, until: claimUntil() })
      for (const row of rows) {
        inHand.add(row.messageId)
        const previous = recovered.get(row.conversationId) ?? Promise.resolve()
        const next = previous
          .then(async () => {
            await inHands(row.messageId, () => handleLoaded(row.messageId, load(arrivalOf(row)), clock()))
            logger.info({ messageId: row.messageId }, 'handled after restart')
          })
          .catch((err: unknown) => logger.error({ err, messageId: row.messageId }, 'handling after restart failed'))
        recovered.set(row.conversationId, next)
      }
      return rows.length
    })()
    recovering = queued.then(
      () => undefined,
      () => undefined,
    )
    if (shared && timers.length === 0) {
      const renew = () => inbox.renew(holder, [...inHand], claimUntil()).catch((err: unknown) => logger.warn({ err }, 'could not renew message claims'))
      // While running: the messages of a process that died since, once their claims ran out.
      let looking = false
      const takeOver = async () => {
        // One look at a time: a long one must not overlap the next tick.
        if (looking) return
        looking = true
        await recovering
        const rows = await inbox.takeOver(clock(), { holder, until: claimUntil() }).finally(() => (looking = false))
        for (const row of rows) {
          inHand.add(row.messageId)
          logger.info({ messageId: row.messageId }, 'taking over a message another process left')
          void inOrder(row.conversationId, () => inHands(row.messageId, () => handleLoaded(row.messageId, load(arrivalOf(row)), clock()))).catch((err: unknown) =>
            logger.error({ err, messageId: row.messageId }, 'handling a message taken over failed'),
          )
        }
      }
      timers = [setInterval(() => void renew(), shared.renewMs), setInterval(() => void takeOver().catch((err: unknown) => logger.error({ err }, 'taking over messages failed')), shared.renewMs)]
      for (const t of timers) t.unref()
    }
    return queued
  }
  dispatch.stop = async () => {
    for (const t of timers) clearInterval(t)
    timers = []
    if (shared) await inbox.release(holder, [...inHand]).catch((err: unknown) => logger.warn({ err }, 'could not give up message claims'))
  }
  return dispatch
}
