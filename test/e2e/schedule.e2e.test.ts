// The timetable over the real transport: the township group receives the weekly bulletin as
// text and picture, found by its topic, sent through the outbox. On SQLite and on PostgreSQL.
import { FileBox } from 'file-box'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { providers } from '../support/db.ts'
import { BOT_ID, startWireTownship, type WireTownship } from '../support/wire-township.ts'
import { manualClock } from '../support/township.ts'

const TOWNSHIP = '示范乡人居环境整治工作群'
const WEIHUA = '卫华村人居环境群'

describe.each(providers)('scheduled posts, end to end (%s)', (provider) => {
  let t: WireTownship
  afterEach(() => t.close())

  it('posts the weekly bulletin text and picture into the township group, once', async () => {
    t = await startWireTownship(undefined, { provider })
    const clock = manualClock(new Date('2026-11-24T02:00:00Z'))
    await t.startBot({ clock })
    await t.say('wxid_sec_weihua', WEIHUA, '/问题 三组路边垃圾堆放 限期2天')
    await t.say('wxid_sec_weihua', WEIHUA, '/整改 1 已完成')
    clock.set(new Date('2026-11-30T00:00:30Z')) // Monday 08:00:30 in Shanghai
    const seen = t.rooms.get(TOWNSHIP)!.seen
    await t.assistant.services.schedule.check()
    const text = await seen.waitFor((m) => m.talkerId === BOT_ID && m.text.includes('周通报'), 8000)
    expect(text.text).toContain('11月23日')
    expect(text.text).toContain('卫华村')
    const picture = await seen.waitFor((m) => m.talkerId === BOT_ID && m.typeName === 'Image', 8000)
    expect(picture.fileName).toBe('周通报-2026-W48.png')
    const box = FileBox.fromJSON(t.wechat.mocker.cacheFileBoxPayload.get(picture.id)!)
    expect(await sharp(await box.toBuffer()).metadata()).toMatchObject({ format: 'png', width: 1080 })

    await t.assistant.services.schedule.check()
    await t.assistant.outbox.idle()
    expect(t.botMessages(TOWNSHIP).filter((m) => m.text.includes('周通报'))).toHaveLength(1)
  })

  it('a start just after the bulletin’s time posts it, though the provider lists the groups slowly', async () => {
    t = await startWireTownship(undefined, { provider })
    // A first start: the township group is known only by the topic the config names, found once
    // the provider has listed the groups, 1.5 s after the login.
    t.wechat.puppet.roomListDelayMs = 1500
    await t.startBot({ clock: manualClock(new Date('2026-11-30T00:05:00Z')), schedule: true })
    const seen = t.rooms.get(TOWNSHIP)!.seen
    const picture = await seen.waitFor((m) => m.talkerId === BOT_ID && m.typeName === 'Image', 10_000)
    expect(picture.fileName).toBe('周通报-2026-W48.png')
    await t.assistant.outbox.idle()
    expect(t.botMessages(TOWNSHIP).filter((m) => m.text.includes('周通报'))).toHaveLength(1)
    expect(await t.assistant.db.scheduledPost.count({ where: { job: 'weekly-bulletin', status: 'missed' } })).toBe(0)
  })
  it('a group whose members the provider cannot list at login: the others are found, and get what is due', async () => {
    t = await startWireTownship(undefined, { provider })
    t.wechat.puppet.roomMembersFailFor.add(t.rooms.get(WEIHUA)!.room.id)
    await t.startBot({ clock: manualClock(new Date('2026-11-30T00:05:00Z')), schedule: true })
    const picture = await t.rooms.get(TOWNSHIP)!.seen.waitFor((m) => m.talkerId === BOT_ID && m.typeName === 'Image', 10_000)
    expect(picture.fileName).toBe('周通报-2026-W48.png')
    expect(t.assistant.services.township.groupOf('village', '卫华村')).toBeUndefined()
  })
  it('after the WeChat service restarts, the timetable looks again at what is due, once', async () => {
    t = await startWireTownship(undefined, { provider })
    const clock = manualClock(new Date('2026-11-29T12:00:00Z')) // Sunday 20:00 in Shanghai
    await t.startBot({ clock, schedule: true, timeoutSeconds: 3 })
    clock.set(new Date('2026-11-30T00:05:00Z')) // the bulletin's time passed while the service was away
    await t.wechat.restart()
    const picture = await t.rooms.get(TOWNSHIP)!.seen.waitFor((m) => m.talkerId === BOT_ID && m.typeName === 'Image', 20_000)
    expect(picture.fileName).toBe('周通报-2026-W48.png')
    await t.assistant.loginSettled()
    await t.assistant.outbox.idle()
    expect(t.botMessages(TOWNSHIP).filter((m) => m.text.includes('周通报'))).toHaveLength(1)
  }, 40_000)
})
