// WeChat as cadres use it, over the real puppet-service transport with the mock sending each
// provider's shape: quote to answer (plain text and appmsg XML type 57), recall to undo, @ to
// address without a slash, short answers, and what the bot cannot read — each with its refusal.
import * as PUPPET from 'wechaty-puppet'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { syntheticJpeg } from '../photos/synth.ts'
import { deliverMessage, mockFile, quoteText, recall, sayQuoteXml, type SeenMessage } from '../support/puppet-server.ts'
import { BOT_ID, startWireTownship, type WireTownship } from '../support/wire-township.ts'

const WEIHUA = '卫华村人居环境群'
const SECRETARY = 'wxid_sec_weihua'
const SUPERVISOR = 'wxid_sup_ma'
const RESIDENT = 'wxid_res_zhang'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('quote, recall, @ and short answers', () => {
  let t: WireTownship
  beforeEach(async () => {
    t = await startWireTownship()
    await t.startBot()
  })
  afterEach(() => t.close())

  const room = () => t.rooms.get(WEIHUA)!
  /** Sends something into the 卫华村 group and resolves with the bot's next message there. */
  const answer = async (send: () => void, timeoutMs = 5000): Promise<SeenMessage> => {
    const from = room().seen.messages.length
    send()
    return room().seen.waitFor((m) => m.talkerId === BOT_ID, timeoutMs, from)
  }
  /** Sends and expects no answer. */
  const silence = async (send: () => void) => {
    const from = room().seen.messages.length
    send()
    await sleep(500)
    expect(room().seen.messages.slice(from).filter((m) => m.talkerId === BOT_ID).map((m) => m.text)).toEqual([])
  }
  const says = (wechatId: string, text: string) => () => t.contact(wechatId).say(text).to(room().room)
  const status = async (id: number) => (await t.assistant.ledger.find(id)).status

  it('a quote of the bot in plain text: 已完成 under 已登记 #1 is /整改 1 已完成; a look-alike or another person’s message is not', async () => {
    const filed = await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    expect(filed.text).toContain('📝 已登记 #1')
    // Forged: the bot never said this in this group, whatever the name on it.
    await silence(says(SECRETARY, quoteText('整治助手', '📝 已登记 #1 卫华村：别的问题', '已完成')))
    // Someone else's message quoted: the reply is ordinary chat.
    await silence(says(SECRETARY, quoteText('赵德明', '/问题 三组路边垃圾堆放', '已完成')))
    expect(await status(1)).toBe('待整改')
    // A resident quoting the bot's real message cannot do by quote what he cannot do by command.
    const refused = await answer(says(RESIDENT, quoteText('整治助手', filed.text, '已完成')))
    expect(refused.text).toContain('只有')
    expect(await status(1)).toBe('待整改')
    const done = await answer(says(SECRETARY, quoteText('整治助手', filed.text, '整改中 已联系铲车')))
    expect(done.text).toContain('待整改 → 整改中')
    const history = await t.assistant.ledger.get(1)
    expect(history.history.at(-1)?.note).toBe('已联系铲车')
  })

  it('a quote in appmsg XML (type 57) by WeChat id: 销号 under ✅ #1, 退回 with a reason; several problems ask which', async () => {
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    const completed = await t.say(SECRETARY, WEIHUA, '/整改 1 已完成')
    const { mocker } = t.wechat
    const supervisor = t.contact(SUPERVISOR)
    const verified = await answer(() => sayQuoteXml(mocker, supervisor, room().room, { id: completed.id, name: '整治助手', text: completed.text, senderId: BOT_ID }, '退回 路边还有垃圾'))
    expect(verified.text).toContain('已完成 → 整改中')
    const again = await t.say(SECRETARY, WEIHUA, '/整改 1 已完成')
    const closed = await answer(() => sayQuoteXml(mocker, supervisor, room().room, { id: again.id, name: '整治助手', text: again.text, senderId: BOT_ID }, '销号', { senderPrefix: true }))
    expect(closed.text).toContain('已销号')
    // An id the bot never sent: not the bot's message, whatever it says; the reply is read on its own.
    const alone = await answer(() => sayQuoteXml(mocker, supervisor, room().room, { id: 'someone-elses-id', name: '整治助手', text: '✅ #1 已完成', senderId: BOT_ID }, '退回 乱说'))
    expect(alone.text).toContain('请写明要退回的问题编号')
    expect(await status(1)).toBe('已销号')
    await t.say(SUPERVISOR, WEIHUA, '/取消')
    // A message naming several problems.
    await t.say(SECRETARY, WEIHUA, '/问题 五组柴草垛占道')
    await t.say(SECRETARY, WEIHUA, '/问题 六组畜禽粪便')
    const list = await t.say(SECRETARY, WEIHUA, '/逾期')
    const overdueOrLedger = list.text.includes('#2') ? list : await t.say(SECRETARY, WEIHUA, '/台账 卫华村')
    const which = await answer(says(SECRETARY, quoteText('整治助手', overdueOrLedger.text, '已完成')))
    expect(which.text).toMatch(/请写明是哪一个/)
    const picked = await answer(says(SECRETARY, quoteText('整治助手', overdueOrLedger.text, '3 已完成')))
    expect(picked.text).toContain('#3')
    expect(await status(3)).toBe('已完成')
  })

  it('a quote of a bot message older than a week asks first; 是 then acts', async () => {
    const filed = await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    await t.assistant.outbox.idle() // marked sent
    await t.assistant.db.outboxMessage.updateMany({ where: { text: { contains: '已登记 #1' } }, data: { sentAt: new Date(Date.now() - 9 * 86_400_000) } })
    const asked = await answer(says(SECRETARY, quoteText('整治助手', filed.text, '已完成')))
    expect(asked.text).toContain('您引用的是 9 天前的消息，要对 #1 执行「/整改 1 已完成」吗？')
    expect(await status(1)).toBe('待整改')
    const yes = await answer(says(SECRETARY, '👌'))
    expect(yes.text).toContain('待整改 → 已完成')
  })

  it('recall to undo: a recalled 已完成 is taken back in one line; one already verified is reported; chat recalled is ignored', async () => {
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    const secretary = t.contact(SECRETARY)
    const completedAt = room().seen.messages.length
    secretary.say('/整改 1 已完成').to(room().room)
    await room().seen.waitFor((m) => m.talkerId === BOT_ID, 5000, completedAt)
    const command = room().seen.messages.slice(completedAt).find((m) => m.text === '/整改 1 已完成')!
    const undone = await answer(() => recall(t.wechat, secretary, room().room, command.id))
    expect(undone.text).toBe('@赵德明 赵德明撤回了消息，#1 的「已完成」已取消。')
    expect(await status(1)).toBe('待整改')
    expect((await t.assistant.ledger.get(1)).history.map((h) => h.action)).toEqual(['登记', '整改', '撤回'])

    // Completed again and verified since: the recall is reported, not silently dropped.
    const second = room().seen.messages.length
    secretary.say('/整改 1 已完成').to(room().room)
    await room().seen.waitFor((m) => m.talkerId === BOT_ID, 5000, second)
    const again = room().seen.messages.slice(second).find((m) => m.text === '/整改 1 已完成')!
    await t.say(SUPERVISOR, WEIHUA, '/销号 1')
    const reported = await answer(() => recall(t.wechat, secretary, room().room, again.id))
    expect(reported.text).toContain('#1 之后又有改动（已销号），「已完成」没有取消')
    expect(await status(1)).toBe('已销号')

    // Chat, and someone else's command: nothing to undo, nothing said.
    const chatAt = room().seen.messages.length
    secretary.say('大家辛苦了').to(room().room)
    await sleep(200)
    const chat = room().seen.messages.slice(chatAt).find((m) => m.text === '大家辛苦了')!
    await silence(() => recall(t.wechat, secretary, room().room, chat.id))
    await silence(() => recall(t.wechat, t.contact(RESIDENT), room().room, again.id))
  })

  it('a recalled photo is taken off its problem', async () => {
    t.config.policy.photoBatchSeconds = 0.2
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    const secretary = t.contact(SECRETARY)
    const at = room().seen.messages.length
    secretary.say(mockFile(await syntheticJpeg(5, 800, 600), 'IMG_5.jpg')).to(room().room)
    await room().seen.waitFor((m) => m.talkerId === BOT_ID && m.text.includes('添加整改前照片'), 8000, at)
    const picture = room().seen.messages.slice(at).find((m) => m.typeName === 'Image')!
    expect(await t.assistant.db.photoLink.count({ where: { problemId: 1 } })).toBe(1)
    const undone = await answer(() => recall(t.wechat, secretary, room().room, picture.id))
    expect(undone.text).toContain('#1 的一张整改前照片已取消')
    expect(await t.assistant.db.photoLink.count({ where: { problemId: 1 } })).toBe(0)
  })

  it('@ to address without a slash; plain chat is never answered', async () => {
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    await silence(says(SECRETARY, '卫华村 已完成'))
    const done = await t.say(SECRETARY, WEIHUA, '@整治助手\u2005卫华村 已完成', { mention: true })
    expect(done.text).toContain('待整改 → 已完成')
    const stats = await t.say(SECRETARY, WEIHUA, '@整治助手\u2005统计', { mention: true })
    expect(stats.text).toContain('汇集问题 1 条')
  })

  it('what it cannot read: a voice in private gets how to write it, a voice in a group or a sticker alone nothing', async () => {
    const { mocker } = t.wechat
    const bot = mocker.ContactMock.load(BOT_ID)
    const secretary = t.contact(SECRETARY)
    const before = [...mocker.cacheMessagePayload.values()].length
    deliverMessage(mocker, secretary, bot, { type: PUPPET.types.Message.Audio, text: '' })
    await sleep(600)
    const privateReplies = [...mocker.cacheMessagePayload.values()].slice(before).filter((m) => m.talkerId === BOT_ID && m.listenerId === SECRETARY)
    expect(privateReplies.map((m) => m.text)).toEqual(['请打字发送，例如 /整改 卫华村 已完成'])
    await silence(() => deliverMessage(mocker, secretary, room().room, { type: PUPPET.types.Message.Audio, text: '' }))
    await silence(() => deliverMessage(mocker, secretary, room().room, { type: PUPPET.types.Message.Emoticon, text: '' }))
    // Waiting on an answer from him, a voice is answered in the group too.
    const asked = await t.say(SECRETARY, WEIHUA, '/照片')
    expect(asked.text).toContain('请写明问题编号')
    const told = await answer(() => deliverMessage(mocker, secretary, room().room, { type: PUPPET.types.Message.Audio, text: '' }))
    expect(told.text).toContain('请打字发送')
  })
})
