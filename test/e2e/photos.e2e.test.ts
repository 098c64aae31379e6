// Photos over the real transport: pictures sent by a contact through the mock WeChat reach
// the bot as image messages (FileBox over gRPC), and the bot's own picture comes back. On
// SQLite and on PostgreSQL.
import { FileBox } from 'file-box'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { syntheticJpeg, zeroPng } from '../photos/synth.ts'
import { providers } from '../support/db.ts'
import { mockFile } from '../support/puppet-server.ts'
import { BOT_ID, startWireTownship, type WireTownship } from '../support/wire-township.ts'

const WEIHUA = '卫华村人居环境群'
const YUYE = '渔业村人居环境群'
const WEIMING = '卫明村人居环境群'
const SECRETARY = 'wxid_sec_weihua'
const YUYE_SECRETARY = 'wxid_sec_yuye'
const WEIMING_SECRETARY = 'wxid_sec_weiming'
const ADMIN = 'wxid_office_liu'
const SUPERVISOR = 'wxid_sup_ma'

describe.each(providers)('photos in WeChat groups, end to end (%s)', (provider) => {
  let t: WireTownship
  beforeEach(async () => {
    t = await startWireTownship(undefined, { provider })
    t.config.policy.photoBatchSeconds = 0.3
    await t.startBot()
  })
  afterEach(() => t.close())

  const sendPicture = (wechatId: string, data: Buffer, name = 'IMG_0001.jpg', topic = WEIHUA) => {
    const { room } = t.rooms.get(topic)!
    t.contact(wechatId).say(mockFile(data, name)).to(room)
  }

  it('pairs two pictures with /问题 and confirms once; a held 已完成 completes when its picture arrives', async () => {
    t.config.policy.completionNeedsPhoto = true
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    const seen = t.rooms.get(WEIHUA)!.seen
    const from = seen.messages.length
    sendPicture(SECRETARY, await syntheticJpeg(11, 1200, 900))
    sendPicture(SECRETARY, await syntheticJpeg(12, 1200, 900))
    const confirmation = await seen.waitFor((m) => m.talkerId === BOT_ID, 8000, from)
    expect(confirmation.text).toBe('@赵德明 已为 #1 添加整改前照片 2 张')
    await new Promise((r) => setTimeout(r, 500))
    expect(t.botMessages(WEIHUA).filter((m) => m.text.includes('添加整改前照片'))).toHaveLength(1)

    await t.assistant.services.pairing.close(t.rooms.get(WEIHUA)!.room.id, SECRETARY)
    const held = await t.say(SECRETARY, WEIHUA, '/整改 1 已完成')
    expect(held.text).toContain('请在 10 分钟内发送 #1 的整改后照片')
    const before = seen.messages.length
    sendPicture(SECRETARY, await syntheticJpeg(13, 1200, 900))
    const done = await seen.waitFor((m) => m.talkerId === BOT_ID, 8000, before)
    expect(done.text).toContain('收到 #1 的整改后照片。')
    expect(done.text).toContain('待整改 → 已完成')
    expect((await t.assistant.ledger.find(1)).status).toBe('已完成')
  })

  /** Sends a picture and resolves with the bot's next message in the group. */
  const pictureReply = async (wechatId: string, data: Buffer, name?: string, topic = WEIHUA) => {
    const seen = t.rooms.get(topic)!.seen
    const from = seen.messages.length
    sendPicture(wechatId, data, name, topic)
    return seen.waitFor((m) => m.talkerId === BOT_ID, 8000, from)
  }

  it('takes a picture sent before the command, and flags a re-compressed, resized copy used again but not an unrelated one', async () => {
    const original = await syntheticJpeg(31, 1600, 1200)
    expect((await pictureReply(SECRETARY, original)).text).toContain('这是哪个问题的？请回复 /照片 编号')
    expect((await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')).text).toContain('已附上整改前照片 1 张。')

    await t.assistant.services.pairing.close(t.rooms.get(WEIHUA)!.room.id, SECRETARY)
    await t.say(SECRETARY, WEIHUA, '/问题 五组柴草垛占道')
    const copy = await sharp(original).resize(900).jpeg({ quality: 60 }).toBuffer()
    const flagged = await pictureReply(SECRETARY, copy, 'wx_camera_123.jpg')
    expect(flagged.text).toMatch(/^@赵德明 已为 #2 添加整改前照片 1 张\n⚠️ 该照片与 #1 的整改前照片高度相似（\d+月\d+日 赵德明）$/)
    const clean = await pictureReply(SECRETARY, await syntheticJpeg(32, 1600, 1200))
    expect(clean.text).toBe('@赵德明 已为 #2 添加整改前照片 1 张')
    expect(await t.assistant.services.photos.evidenceOf(2)).toMatchObject({ before: 2, reuseNotes: [expect.stringContaining('#1')] })
  })

  it('refuses a 30000×30000 PNG bomb and a corrupt JPEG, and answers the next message at once', async () => {
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    const bomb = await pictureReply(SECRETARY, zeroPng(30000, 30000), 'bomb.png')
    expect(bomb.text).toBe('@赵德明 图片尺寸过大（30000×30000），请发送手机拍的普通照片。')
    const good = await syntheticJpeg(41, 1200, 900)
    const corrupt = await pictureReply(SECRETARY, good.subarray(0, good.length / 2), 'half.jpg')
    expect(corrupt.text).toContain('图片已损坏或不完整')
    expect((await t.say(SECRETARY, WEIHUA, '/台账')).text).toContain('卫华村台账：共 1 条')
  })

  it('answers a file that is not a picture with the reason', async () => {
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    const seen = t.rooms.get(WEIHUA)!.seen
    const from = seen.messages.length
    const fake = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('不是照片'.repeat(50))])
    sendPicture(SECRETARY, fake, 'fake.jpg')
    const reply = await seen.waitFor((m) => m.talkerId === BOT_ID, 8000, from)
    expect(reply.text).toMatch(/^@赵德明 (图片已损坏或不完整|这个文件不是图片)/)
  })

  it('sends the before/after picture back into the group for an admin', async () => {
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    sendPicture(SECRETARY, await syntheticJpeg(21, 1200, 900))
    const seen = t.rooms.get(WEIHUA)!.seen
    await seen.waitFor((m) => m.talkerId === BOT_ID && m.text.includes('添加整改前照片'), 8000)
    const from = seen.messages.length
    const text = await t.say(ADMIN, WEIHUA, '/照片 1')
    expect(text.text).toContain('#1 整改前后对比（整改前 1 张，整改后 0 张）')
    const picture = await seen.waitFor((m) => m.talkerId === BOT_ID && m.typeName === 'Image', 8000, from)
    expect(picture.fileName).toBe('问题1-整改前后.jpg')
    const box = FileBox.fromJSON(t.wechat.mocker.cacheFileBoxPayload.get(picture.id)!)
    expect(await sharp(await box.toBuffer()).metadata()).toMatchObject({ format: 'jpeg', width: 1640 })
  })

  it('takes a picture it already has, forwarded by someone else into another group, as theirs, and flags the reuse', async () => {
    const picture = await syntheticJpeg(61, 1200, 900)
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    expect((await pictureReply(SECRETARY, picture)).text).toBe('@赵德明 已为 #1 添加整改前照片 1 张')

    // Forwarded before /照片 编号 …
    await t.say(YUYE_SECRETARY, YUYE, '/问题 江边屯柴草垛占道')
    await t.assistant.services.pairing.close(t.rooms.get(YUYE)!.room.id, YUYE_SECRETARY)
    expect((await pictureReply(YUYE_SECRETARY, picture, 'forwarded.jpg', YUYE)).text).toContain('这是哪个问题的？请回复 /照片 编号')
    const filed = await t.say(YUYE_SECRETARY, YUYE, '/照片 2')
    expect(filed.text).toMatch(/^@钱永福 已为 #2 添加整改前照片 1 张。\n⚠️ 该照片与 #1 的整改前照片高度相似（\d+月\d+日 赵德明）$/)

    // … and before /问题.
    expect((await pictureReply(WEIMING_SECRETARY, picture, 'forwarded.jpg', WEIMING)).text).toContain('这是哪个问题的？')
    const third = await t.say(WEIMING_SECRETARY, WEIMING, '/问题 村口垃圾堆放')
    expect(third.text).toContain('已附上整改前照片 1 张。')
    expect(third.text).toMatch(/⚠️ 该照片与 #1 的整改前照片高度相似（\d+月\d+日 赵德明）/)

    const { photos } = t.assistant.services
    expect(await photos.evidenceOf(3)).toMatchObject({ before: 1, reuseNotes: [expect.stringContaining('#1')] })
    // The before/after picture of /照片 names who sent the photo this time.
    expect((await photos.newest({ problemId: 2, kind: '整改前' }))?.photo.senderName).toBe('钱永福')
    expect((await photos.newest({ problemId: 3, kind: '整改前' }))?.photo.senderName).toBe('孙长林')
    expect((await photos.newest({ problemId: 1, kind: '整改前' }))?.photo.senderName).toBe('赵德明')
  })

  it('counts what it recorded: the same picture sent twice is one photo in the confirmation and in /查询', async () => {
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    const seen = t.rooms.get(WEIHUA)!.seen
    const from = seen.messages.length
    const picture = await syntheticJpeg(51, 1200, 900)
    sendPicture(SECRETARY, picture)
    sendPicture(SECRETARY, picture)
    const confirmation = await seen.waitFor((m) => m.talkerId === BOT_ID, 8000, from)
    expect(confirmation.text).toBe('@赵德明 已为 #1 添加整改前照片 1 张（另有 1 张是重复发送的同一张照片，没有重复计入）')
    await new Promise((r) => setTimeout(r, 500))
    expect(t.botMessages(WEIHUA).filter((m) => m.text.includes('添加整改前照片'))).toHaveLength(1)
    expect((await t.say(ADMIN, WEIHUA, '/查询 1')).text).toContain('照片：整改前 1 张，整改后 0 张')

    // Only the repeat: nothing added, and the confirmation says so.
    const again = await pictureReply(SECRETARY, picture)
    expect(again.text).toBe('@赵德明 #1 的整改前照片里已有这张照片，没有重复计入。')
    expect((await t.say(ADMIN, WEIHUA, '/查询 1')).text).toContain('照片：整改前 1 张，整改后 0 张')
  })

  it('flags a problem\'s own before photo sent again as its after photo, in the reply, /查询 and /销号', async () => {
    const before = await syntheticJpeg(71, 1200, 900)
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    await pictureReply(SECRETARY, before)
    await t.say(SECRETARY, WEIHUA, '/整改 1 已完成')
    const same = await pictureReply(SECRETARY, before)
    const note = /⚠️ 该照片与本问题 #1 的整改前照片高度相似（\d+月\d+日 赵德明），请核实是否确已整改/
    expect(same.text).toMatch(/^@赵德明 已为 #1 添加整改后照片 1 张\n/)
    expect(same.text).toMatch(note)
    expect((await t.say(ADMIN, WEIHUA, '/查询 1')).text).toMatch(note)
    const verified = await t.say(SUPERVISOR, WEIHUA, '/销号 1')
    expect(verified.text).toContain('已销号')
    expect(verified.text).toMatch(/⚠️ 请注意：该照片与本问题 #1 的整改前照片高度相似/)

    // A re-compressed, resized copy sent just before /整改 … 已完成 is flagged too.
    await t.assistant.services.pairing.close(t.rooms.get(WEIHUA)!.room.id, SECRETARY)
    const second = await syntheticJpeg(72, 1600, 1200)
    await t.say(SECRETARY, WEIHUA, '/问题 五组柴草垛占道')
    await pictureReply(SECRETARY, second)
    await t.assistant.services.pairing.close(t.rooms.get(WEIHUA)!.room.id, SECRETARY)
    await pictureReply(SECRETARY, await sharp(second).resize(900).jpeg({ quality: 60 }).toBuffer(), 'after.jpg')
    const done = await t.say(SECRETARY, WEIHUA, '/整改 2 已完成')
    expect(done.text).toContain('已附上整改后照片 1 张。')
    expect(done.text).toMatch(/⚠️ 该照片与本问题 #2 的整改前照片高度相似/)
  })
})
