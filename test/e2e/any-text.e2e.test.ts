// Any text whatever is stored and answered or refused with a reason: emoji cut in half by the
// length limit, lone surrogates from a provider, a half-written command holding such text.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ADMIN, dispatcherFixture, SECRETARY } from '../support/dispatcher.ts'
import { BOT_ID, startWireTownship, type WireTownship } from '../support/wire-township.ts'

const WEIHUA = '卫华村人居环境群'

describe('emoji and broken text over the real transport', () => {
  let t: WireTownship
  beforeEach(async () => {
    t = await startWireTownship()
    await t.startBot()
  })
  afterEach(() => t.close())

  it('a pasted command followed by 2,100 emoji is stored and answered', async () => {
    const text = '/问题 卫华村 村口堆🗑' + '🚮'.repeat(2100)
    const reply = await t.say(SECRETARY, WEIHUA, text)
    expect(reply.text).toContain('消息太长了')
    const stored = await t.assistant.db.inboxMessage.findMany({ where: { text: { startsWith: '/问题 卫华村 村口堆' } } })
    expect(stored).toHaveLength(1)
    expect(stored[0]!.handledAt).not.toBeNull()
  })

  it('every cut of an emoji-filled command gets exactly one answer', async () => {
    const { room, seen } = t.rooms.get(WEIHUA)!
    const from = seen.messages.length
    // lengths around the limits (2,000 for commands, 4,000 stored) land mid-emoji half the time
    const lengths = [1999, 2000, 2001, 3999, 4000, 4001]
    for (const n of lengths) t.contact(SECRETARY).say('/问题 卫华村 ' + '🚮'.repeat(n / 2) + (n % 2 ? 'x' : '')).to(room)
    await seen.waitFor(() => seen.messages.slice(from).filter((m) => m.talkerId === BOT_ID).length >= lengths.length, 10_000, from)
    await new Promise((r) => setTimeout(r, 300))
    const answers = seen.messages.slice(from).filter((m) => m.talkerId === BOT_ID)
    expect(answers).toHaveLength(lengths.length)
    for (const a of answers) expect(a.text).not.toContain('系统出错')
    expect(await t.assistant.db.inboxMessage.count({ where: { handledAt: null } })).toBe(0)
  })
})

describe('lone surrogates from a provider', () => {
  it('are stored and answered, also when a half-written command keeps them', async () => {
    const f = await dispatcherFixture()
    try {
      const filed = await f.say(SECRETARY, '/问题 村口垃圾\uD83D堆放\uDE00', '卫华村')

      expect(filed).toContain('已登记 #1')
      expect((await f.ledger.find(1)).description).toBe('村口垃圾\uFFFD堆放\uFFFD')
      // a half-written command is kept with such text, and the answer completes it
      const asked = await f.say(ADMIN, '/问题 江边\uD83D柴草垛占道\uDE00')
      expect(asked).toContain('请写明是哪个村')
      const answered = await f.say(ADMIN, '渔业村')
      expect(answered).toContain('已登记 #2 渔业村：江边\uFFFD柴草垛占道\uFFFD')
      expect(await f.db.inboxMessage.count({ where: { handledAt: null } })).toBe(0)
      expect(await f.db.inboxMessage.count({ where: { outcome: { startsWith: 'error' } } })).toBe(0)
    } finally {
      await f.close()
    }
  })
})
