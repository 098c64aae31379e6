// The message pipeline without WeChat: a message in, at most one reply out.
// Dedup, normalising, roles, scope, half-written commands, errors: all here, once.
import type { Clock } from '../time.ts'
import { formatTime } from '../time.ts'
import type { Database } from '../db/index.ts'
import type { Actor, Conversation } from '../config/township.ts'
import { Township } from '../config/township.ts'
import { UserError } from '../errors.ts'
import { errorCode, type Logger } from '../log.ts'
import { Args } from './args.ts'
import type { CommandContext, CommandDefinition, Services } from './define.ts'
import { ArgumentError, NeedMore } from './errors.ts'
import type { Registry } from './registry.ts'
import { Inbox, Prompts } from './state.ts'
import { normalizeText, splitCommand } from './text.ts'

export interface IncomingMessage {
  id: string
  /** The room's id, or the contact's id for a private chat. */
  conversationId: string
  where: Conversation
  talkerId: string
  talkerName: string
  /** The text with any @-mention of the bot already removed. */
  text: string
  mentionedSelf: boolean
  sentAt: Date
}

export interface Reply {
  text: string
  /** @-mention the sender (in groups). */
  mention: boolean
}

export interface DispatcherDeps {
  db: Database
  registry: Registry
  services: Services
  clock: Clock
  logger: Logger
}

/** Messages longer than this are not commands anyone wrote by hand. */
const MAX_TEXT = 2000

export type Dispatch = (message: IncomingMessage) => Promise<Reply | undefined>

export function createDispatcher({ db, registry, services, clock, logger }: DispatcherDeps): Dispatch {
  const inbox = new Inbox(db)
  const prompts = new Prompts(db)
  const { township, policy } = services
  // One conversation's messages are handled in order (a question, then its answer);
  // different conversations do not wait for each other.
  const queues = new Map<string, Promise<unknown>>()

  async function runCommand(command: CommandDefinition, argText: string, ctx: CommandContext, message: IncomingMessage): Promise<string> {
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
      if (error instanceof ArgumentError) return `${error.message}\n写法：${command.usage}`
      if (error instanceof UserError) return error.message
      throw error
    }
  }

  function contextFor(actor: Actor, message: IncomingMessage, now: Date): CommandContext {
    return {
      actor,
      where: message.where,
      messageId: message.id,
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

  async function respond(message: IncomingMessage, text: string, now: Date): Promise<{ text: string; outcome: string } | undefined> {
    const actor = township.actor(message.talkerId, message.talkerName, message.where)
    const ctx = contextFor(actor, message, now)
    const split = splitCommand(text, registry.words)
    const command = split ? registry.find(split.head) : undefined
    if (split && command) {
      if (command.name !== '取消') await prompts.clear(message.conversationId, message.talkerId)
      return { text: await runCommand(command, split.rest, ctx, message), outcome: command.name }
    }
    const pending = text.length > 0 ? await prompts.get(message.conversationId, message.talkerId, now) : undefined
    if (pending) {
      const waiting = registry.find(pending.commandName)
      await prompts.clear(message.conversationId, message.talkerId)
      const argText = pending.answerFirst ? `${text} ${pending.argText}` : `${pending.argText} ${text}`
      if (waiting) return { text: await runCommand(waiting, argText, ctx, message), outcome: waiting.name }
    }
    if (split?.slash || message.mentionedSelf) {
      const near = split ? registry.nearest(split.head) : undefined
      const reply = near
        ? `没有「${split!.head}」这个命令。您是说 /${near.name} 吗？\n写法：${near.usage}\n例如：${near.examples[0]}`
        : `您好，我是${township.name}人居环境整治助手。发 /帮助 查看可以说什么，例如：/台账 卫华村`
      return { text: reply, outcome: 'unknown' }
    }
    return undefined
  }

  async function handle(message: IncomingMessage): Promise<Reply | undefined> {
    const started = Date.now()
    const receivedAt = clock()
    const text = normalizeText(message.text).slice(0, MAX_TEXT)
    const fresh = await inbox.accept({
      messageId: message.id,
      conversationId: message.conversationId,
      talkerId: message.talkerId,
      text,
      sentAt: message.sentAt,
      receivedAt,
    })
    if (!fresh) {
      logger.info({ messageId: message.id, outcome: 'duplicate' }, 'message seen before')
      return undefined
    }
    let outcome = 'ignored'
    try {
      const result = await respond(message, text, receivedAt)
      if (!result) return undefined
      outcome = result.outcome
      const late = receivedAt.getTime() - message.sentAt.getTime() > policy.lateAfterSeconds * 1000
      const prefix = late ? `（您 ${formatTime(message.sentAt)} 发的消息因助手离线，现在才处理）\n` : ''
      return { text: prefix + result.text, mention: message.where.kind !== 'private' }
    } catch (error) {
      const code = errorCode()
      outcome = `error ${code}`
      logger.error({ err: error, messageId: message.id, code }, 'command failed')
      return { text: `系统出错（编号 ${code}），已记录。请稍后再试，或联系乡办公室。`, mention: message.where.kind !== 'private' }
    } finally {
      await inbox.done(message.id, outcome, clock()).catch((err: unknown) => logger.error({ err, messageId: message.id }, 'inbox update failed'))
      logger.info({ messageId: message.id, talker: message.talkerId, outcome, ms: Date.now() - started }, 'message handled')
    }
  }

  return (message) => {
    const previous = queues.get(message.conversationId) ?? Promise.resolve()
    const next = previous.then(() => handle(message))
    const settled = next.catch(() => undefined)
    queues.set(message.conversationId, settled)
    void settled.then(() => {
      if (queues.get(message.conversationId) === settled) queues.delete(message.conversationId)
    })
    return next
  }
}
