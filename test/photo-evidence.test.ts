// Photos as evidence, through the dispatcher: pairing both ways, batching, held 已完成,
// reuse across problems, refusals, and the 随手拍 round trip with the resident.
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sweepPhotoWindows } from '../src/workflow/photo-reminders.ts'
import { syntheticJpeg } from './photos/synth.ts'
import { ADMIN, dispatcherFixture, RESIDENT, SECRETARY, SUPERVISOR } from './support/dispatcher.ts'

type Fixture = Awaited<ReturnType<typeof dispatcherFixture>>
const V = '卫华村'

/** Waits for the batched confirmations (50 ms in the fixture) to go out. */
const settle = () => new Promise((r) => setTimeout(r, 150))

describe('photos as evidence', () => {
  let f: Fixture
  let photoA: Buffer
  let photoB: Buffer
  beforeEach(async () => {
    f = await dispatcherFixture()
    photoA = await syntheticJpeg(1, 800, 600)
    photoB = await syntheticJpeg(2, 800, 600)
  })
  afterEach(() => f.close())

  it('attaches the photos sent after /问题 as before photos, confirming once for several', async () => {
    expect(await f.say(SECRETARY, '/问题 三组路边垃圾堆放', V)).toContain('请接着发送现场照片（10 分钟内）')
    expect(await f.sendPhoto(SECRETARY, photoA, V)).toBeUndefined()
    expect(await f.sendPhoto(SECRETARY, photoB, V)).toBeUndefined()
    await settle()
    expect(f.notices.map((n) => n.text)).toEqual(['已为 #1 添加整改前照片 2 张'])
    expect(f.notices[0]!.mentionIds).toEqual([SECRETARY])
    expect(await f.services.photos.evidenceOf(1)).toEqual({ before: 2, after: 0, reuseNotes: [] })
    expect(await f.say(ADMIN, '/查询 1')).toContain('照片：整改前 2 张，整改后 0 张')
  })

  it('takes photos sent first for the command that follows within the window', async () => {
    await f.sendPhoto(SECRETARY, photoA, V)
    await settle()
    expect(f.notices.at(-1)?.text).toBe('收到 1 张照片。这是哪个问题的？请回复 /照片 编号（例如 /照片 12），照片就会归到该问题。')
    expect(await f.say(SECRETARY, '/问题 三组路边垃圾堆放', V)).toContain('已附上整改前照片 1 张。')
    f.clock.advanceDays(1) // the window of /问题 is over: the next photo is unpaired until /整改 takes it
    await f.sendPhoto(SECRETARY, photoB, V)
    expect(await f.say(SECRETARY, '/整改 1 已完成', V)).toMatch(/^已附上整改后照片 1 张。\n✅ #1/)
    expect(await f.services.photos.evidenceOf(1)).toEqual({ before: 1, after: 1, reuseNotes: [] })
  })

  it('files an unpaired photo with /照片 编号', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', V)
    await f.services.pairing.close(f.groupOf(V), SECRETARY)
    await f.sendPhoto(SECRETARY, photoA, V)
    expect(await f.say(SECRETARY, '/照片 1 整改后', V)).toBe('已为 #1 添加整改后照片 1 张。')
    expect(await f.say(SECRETARY, '/照片 1', V)).toBe('您最近 10 分钟内没有发过照片。请先发照片，再回复 /照片 1。')
  })

  it('holds 已完成 for its photo where policy asks, and completes it when the photo comes', async () => {
    f.services.policy.completionNeedsPhoto = true
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', V)
    await f.services.pairing.close(f.groupOf(V), SECRETARY)
    expect(await f.say(SECRETARY, '/整改 1 已完成 已清运', V)).toBe('收到。按乡里规定，报已完成需要整改后照片：请在 10 分钟内发送 #1 的整改后照片，收到后即改为已完成。')
    expect((await f.ledger.find(1)).status).toBe('待整改')
    const reply = await f.sendPhoto(SECRETARY, photoB, V)
    expect(reply?.text).toContain('收到 #1 的整改后照片。')
    expect(reply?.text).toContain('#1 卫华村 三组路边垃圾堆放：待整改 → 已完成')
    expect(reply?.text).toContain('说明：已清运')
    const stored = await f.ledger.get(1)
    expect(stored.status).toBe('已完成')
    expect(stored.history.at(-1)?.messageId).toBe('msg-2') // the change came from the /整改 message
  })

  it('reminds when the photo for a held 已完成 never comes', async () => {
    f.services.policy.completionNeedsPhoto = true
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', V)
    await f.say(SECRETARY, '/整改 1 已完成', V)
    f.clock.advanceDays(11 / (24 * 60))
    await sweepPhotoWindows(f.services)
    expect(f.notices.map((n) => n.text)).toEqual(['⏰ #1 报已完成，但一直没有收到整改后照片，状态没有改。请发照片后再报一次 /整改 1 已完成。'])
    expect((await f.ledger.find(1)).status).toBe('待整改')
  })

  it('flags a reused photo, even re-compressed and resized, and not an unrelated one', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', V)
    await f.sendPhoto(SECRETARY, photoA, V)
    await settle()
    await f.say(SECRETARY, '/问题 五组柴草垛占道', V)
    const copy = await sharp(photoA).resize(560).jpeg({ quality: 55 }).toBuffer()
    await f.sendPhoto(SECRETARY, copy, V)
    await f.sendPhoto(SECRETARY, photoB, V)
    await settle()
    expect(f.notices.at(-1)?.text).toBe('已为 #2 添加整改前照片 2 张\n⚠️ 该照片与 #1 的整改前照片高度相似（11月30日 赵德明）')
    await f.say(SECRETARY, '/整改 2 已完成', V)
    const verified = await f.say(SUPERVISOR, '/销号 2', V)
    expect(verified).toContain('⚠️ 请注意：该照片与 #1 的整改前照片高度相似')
    expect(await f.say(ADMIN, '/查询 2')).toContain('（1 张疑似重复使用）')
  })

  it('refuses files that are not photos, with a reason, and keeps going', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', V)
    expect((await f.sendPhoto(SECRETARY, Buffer.from('这不是图片'), V))?.text).toBe('这个文件不是图片，请直接发送照片。')
    const truncated = photoA.subarray(0, Math.floor(photoA.length / 2))
    expect((await f.sendPhoto(SECRETARY, truncated, V))?.text).toContain('图片已损坏或不完整')
    expect((await f.sayFull(SECRETARY, '', V, { photo: 'unavailable' }))?.text).toBe('这张照片没有收到（文件太大或网络不好），请重新发送一次。')
    expect(await f.say(SECRETARY, '/台账', V)).toContain('共 1 条')
  })

  it('ignores residents\' pictures in ordinary chat', async () => {
    expect(await f.sendPhoto(RESIDENT, photoA, V)).toBeUndefined()
    await settle()
    expect(f.notices).toEqual([])
    expect(await f.db.photo.count()).toBe(0)
  })

  it('sends a before/after picture to a supervisor who asks with /照片', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', V)
    await f.sendPhoto(SECRETARY, photoA, V)
    await f.say(SECRETARY, '/整改 1 已完成', V)
    await f.sendPhoto(SECRETARY, photoB, V)
    await settle()
    await f.services.pairing.close(f.groupOf(V), SECRETARY)
    const reply = await f.sayFull(SUPERVISOR, '/照片 1', V)
    expect(reply?.text).toBe('#1 整改前后对比（整改前 1 张，整改后 1 张），图片随后发送。')
    const meta = await sharp(reply!.file!.data).metadata()
    expect(meta).toMatchObject({ format: 'jpeg', width: 1640 })
    expect(reply!.file!.name).toBe('问题1-整改前后.jpg')
  })
})

describe('随手拍: a resident reports, a cadre accepts, the resident hears back', () => {
  let f: Fixture
  beforeEach(async () => {
    f = await dispatcherFixture()
  })
  afterEach(() => f.close())

  it('goes from report to accepted problem to done to confirmed', async () => {
    expect(await f.say(RESIDENT, '/随手拍 村口垃圾没人清', V)).toContain('收到您的随手拍 R1（卫华村）：村口垃圾没人清')
    await f.sendPhoto(RESIDENT, await syntheticJpeg(3, 640, 480), V)
    await settle()
    expect(f.notices.at(-1)).toMatchObject({ text: '已为 随手拍 R1 添加照片 1 张', mentionIds: [RESIDENT] })

    expect(await f.say(RESIDENT, '/受理 R1', V)).toContain('抱歉，/受理 只有')
    const accepted = await f.say(SECRETARY, '/受理 R1 限期3天', V)
    expect(accepted).toContain('已受理随手拍 R1，登记为 #1 卫华村：村口垃圾没人清')
    expect(accepted).toContain('照片 1 张')
    expect(f.notices.at(-1)).toMatchObject({ text: '您反映的问题（随手拍 R1）已受理，登记为 #1，限期12月3日，责任人 赵德明。整改完成后会告诉您。', mentionIds: [RESIDENT] })
    expect(await f.ledger.find(1)).toMatchObject({ source: '群众反映', category: '垃圾' })
    expect(await f.services.photos.evidenceOf(1)).toEqual({ before: 1, after: 0, reuseNotes: [] })

    expect(await f.say(RESIDENT, '/确认 R1', V)).toBe('R1 还没有整改完成，完成后会通知您。')
    await f.say(SECRETARY, '/整改 1 已完成', V)
    expect(f.notices.at(-1)?.text).toContain('您反映的问题（随手拍 R1）已整改完成：村口垃圾没人清。')
    expect(await f.say(SECRETARY, '/确认 R1', V)).toContain('请本人确认')
    expect(await f.say(RESIDENT, '/确认 R1', V)).toBe('谢谢您的确认！随手拍 R1（#1）已办结。')
  })

  it('lets the resident say it is not fixed, which goes to the supervisor', async () => {
    await f.say(RESIDENT, '/随手拍 村口垃圾没人清', V)
    await f.say(SECRETARY, '/受理 R1', V)
    await f.say(SECRETARY, '/整改 1 已完成', V)
    expect(await f.say(RESIDENT, '/未整改 R1 垃圾只清了一半', V)).toBe('收到，已转告包村干部 马包村 复核 #1。')
    expect(f.notices.at(-1)).toMatchObject({ text: '请包村干部复核 #1：村民 张大爷 反映还没整改好（垃圾只清了一半）。核实后可用 /退回 1 原因。', mentionIds: [SUPERVISOR] })
  })

  it('tells the resident when a report is declined, with the reason', async () => {
    await f.say(RESIDENT, '/随手拍 村口垃圾没人清', V)
    expect(await f.say(SECRETARY, '/不受理 R1 昨天已清理完毕', V)).toBe('已将随手拍 R1 标为不受理，并告知 张大爷。')
    expect(f.notices.at(-1)?.text).toBe('您反映的问题（随手拍 R1）经村里核实未受理，原因：昨天已清理完毕。如有疑问可联系包村干部。谢谢您的关心！')
    expect(await f.say(SECRETARY, '/受理 R1', V)).toBe('随手拍 R1 目前是「不受理」，不用再受理。')
  })
})
