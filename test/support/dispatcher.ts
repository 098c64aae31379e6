// The dispatcher on its own (no WeChat): for unit tests of what commands answer.
import { commands } from '../../commands/index.ts'
import { Township } from '../../src/config/township.ts'
import type { Database } from '../../src/db/index.ts'
import { Ledger } from '../../src/ledger/index.ts'
import { createLogger } from '../../src/log.ts'
import { createDispatcher, Registry, type IncomingMessage } from '../../src/registry/index.ts'
import { freshDatabase } from './db.ts'
import { exampleConfig, manualClock } from './township.ts'

export async function dispatcherFixture() {
  const { db } = await freshDatabase()
  const config = exampleConfig()
  const township = new Township(config)
  const clock = manualClock()
  const ledger = new Ledger(db, clock)
  const dispatch = createDispatcher({
    db,
    registry: new Registry(commands),
    services: { township, ledger, policy: config.policy },
    clock,
    logger: createLogger('silent'),
  })
  let seq = 0
  const groupOf = (village?: string) => (village ? `group-${village}@chatroom` : 'group-township@chatroom')

  /** Says `text` as `wechatId` in a village's group (or the township group) and returns the reply text. */
  async function say(wechatId: string, text: string, village?: string, extra: Partial<IncomingMessage> = {}): Promise<string | undefined> {
    const message: IncomingMessage = {
      id: `msg-${++seq}`,
      conversationId: groupOf(village),
      where: village ? { kind: 'village', village } : { kind: 'township' },
      talkerId: wechatId,
      talkerName: config.people.find((p) => p.wechatId === wechatId)?.name ?? '村民',
      text,
      mentionedSelf: false,
      sentAt: clock(),
      ...extra,
    }
    return (await dispatch(message))?.text
  }
  return { db, ledger, clock, say, dispatch, close: () => db.$disconnect() }
}

export const SECRETARY = 'wxid_sec_weihua'
export const OTHER_SECRETARY = 'wxid_sec_yuye'
export const SUPERVISOR = 'wxid_sup_ma'
export const ADMIN = 'wxid_office_liu'
export const GRID = 'wxid_grid_01'
export const RESIDENT = 'wxid_res_zhang'
export const STRANGER = 'wxid_someone_new'
