// One conversation's messages are handled in the order they were sent, whatever each needs to
// download, and every message is stored the moment it arrives. The provider here takes seconds
// to hand over a picture, as some do.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { syntheticJpeg } from '../photos/synth.ts'
import { mockFile } from '../support/puppet-server.ts'
import { BOT_ID, startWireTownship, type WireTownship } from '../support/wire-township.ts'

const YUYE = '渔业村人居环境群'
const SECRETARY = 'wxid_sec_yuye'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('messages in the order they were sent, pictures slow to arrive', () => {
  let t: WireTownship
  beforeEach(async () => {
    t = await startWireTownship()
    t.config.policy.photoBatchSeconds = 0.3
    await t.startBot()
    t.wechat.puppet.fileDelayMs = 2000
  })
  afterEach(() => t.close())

  const botSays = (from: number) =>
    t.rooms
      .get(YUYE)!
      .seen.messages.slice(from)
      .filter((m) => m.talkerId === BOT_ID)
      .map((m) => m.text)

  it('a picture between two /问题 goes with the first, however long it takes to download', async () => {
    const { room, seen } = t.rooms.get(YUYE)!
    const from = seen.messages.length
    const secretary = t.contact(SECRETARY)
    secretary.say('/问题 第1件 江边垃圾').to(room)
    await sleep(400)
    secretary.say(mockFile(await syntheticJpeg(41, 800, 600), 'IMG_1.jpg')).to(room)
    await sleep(400)
    secretary.say('/问题 第2件 柴草垛占道').to(room)
    await seen.waitFor((m) => m.talkerId === BOT_ID && m.text.includes('添加整改前照片'), 10_000, from)
    await seen.waitFor((m) => m.talkerId === BOT_ID && m.text.includes('已登记 #2'), 10_000, from)
    const said = botSays(from)
    expect(said.find((m) => m.includes('添加整改前照片'))).toContain('已为 #1 添加整改前照片 1 张')
    // and in that order: #1 filed, its photo confirmed (after the pause), #2 filed
    expect(said.findIndex((m) => m.includes('已登记 #1'))).toBeLessThan(said.findIndex((m) => m.includes('已登记 #2')))
    const links = await t.assistant.db.photoLink.findMany()
    expect(links.map((l) => l.problemId)).toEqual([1])
  })

  it('/照片 N sent while the picture before it is still downloading takes that picture', async () => {
    await t.say(SECRETARY, YUYE, '/问题 江边屯柴草垛占道')
    await t.assistant.services.pairing.close(t.rooms.get(YUYE)!.room.id, SECRETARY)
    const { room, seen } = t.rooms.get(YUYE)!
    const from = seen.messages.length
    t.contact(SECRETARY).say(mockFile(await syntheticJpeg(42, 800, 600), 'IMG_2.jpg')).to(room)
    await sleep(1500)
    t.contact(SECRETARY).say('/照片 1').to(room)
    await seen.waitFor((m) => m.talkerId === BOT_ID && m.text.includes('#1'), 10_000, from)
    await sleep(800) // a stray "which problem?" would come now
    const said = botSays(from)
    expect(said).toEqual(['@钱永福 已为 #1 添加整改前照片 1 张。'])
  })

  it('stores a message before its picture has arrived', async () => {
    t.wechat.puppet.fileDelayMs = 8000
    const { room } = t.rooms.get(YUYE)!
    t.contact(SECRETARY).say(mockFile(await syntheticJpeg(43, 800, 600), 'IMG_3.jpg')).to(room)
    let stored = 0
    for (let i = 0; i < 20 && stored === 0; i++) {
      await sleep(100)
      stored = await t.assistant.db.inboxMessage.count({ where: { isPhoto: true } })
    }
    expect(stored).toBe(1)
  })
})
