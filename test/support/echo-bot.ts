/**
 * A bare echo bot: a plain Wechaty over wechaty-puppet-service, nothing else.
 * Baseline for the transport benchmark and the transport e2e test.
 *
 * Behaviour, in rooms only, ignoring its own messages:
 *  - text            -> says the same text back into the room;
 *                       if the bot was @-mentioned (`message.mentionSelf()`), it
 *                       replies with `room.say(text, talker)`, i.e. it @-mentions
 *                       the talker back (the mock sees `mentionIds: [talker.id]`
 *                       and text `@<talker name> <text>`).
 *  - image/attachment -> `message.toFileBox()` and says that FileBox back.
 */
import { WechatyBuilder, type Contact, type Message, type Wechaty } from 'wechaty'
import * as PUPPET from 'wechaty-puppet'
// The project's PuppetService (upstream's with its payload-cache restart race fixed): without it a
// watchdog reset after a server restart throws an uncatchable LevelDB lock error.
import { ResilientPuppetService } from '../../src/bot/puppet.ts'

import type { MockPuppetServiceOptions } from './puppet-server.js'

export interface EchoBot {
  bot  : Wechaty
  /** resolves with the bot's own contact on the (first) login */
  loggedIn : Promise<Contact>
  /** errors emitted by the bot (wechaty 'error' event) */
  errors : Error[]
  stop (): Promise<void>
}

const FILE_TYPES = new Set<PUPPET.types.Message>([
  PUPPET.types.Message.Image,
  PUPPET.types.Message.Attachment,
  PUPPET.types.Message.Video,
  PUPPET.types.Message.Audio,
])

export async function echo (message: Message): Promise<void> {
  if (message.self()) {
    return
  }
  const room = message.room()
  if (!room) {
    return
  }
  const type = message.type()
  if (type === PUPPET.types.Message.Text) {
    const text = message.text()
    if (await message.mentionSelf()) {
      await room.say(text, message.talker())
    } else {
      await room.say(text)
    }
  } else if (FILE_TYPES.has(type)) {
    await room.say(await message.toFileBox())
  }
}

export async function startEchoBot (puppetOptions: MockPuppetServiceOptions): Promise<EchoBot> {
  const puppet = new ResilientPuppetService(puppetOptions)
  const bot = WechatyBuilder.build({ puppet })
  const errors: Error[] = []

  const loggedIn = new Promise<Contact>(resolve => bot.once('login', resolve))

  bot.on('error', e => { errors.push(e) })
  bot.on('message', message => {
    echo(message).catch((e: unknown) => {
      errors.push(e instanceof Error ? e : new Error(String(e)))
    })
  })

  await bot.start()

  return {
    bot,
    errors,
    loggedIn,
    async stop () {
      await bot.stop()
    },
  }
}
