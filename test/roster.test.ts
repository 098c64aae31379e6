// Setting people and groups by message, refusals first: every bad input gets a clear Chinese
// answer and changes nothing.
import ExcelJS from 'exceljs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ADMIN, dispatcherFixture, GRID, RESIDENT, SECRETARY, SUPERVISOR } from './support/dispatcher.ts'

type Fixture = Awaited<ReturnType<typeof dispatcherFixture>>

describe('roster by message', () => {
  let f: Fixture
  beforeEach(async () => {
    f = await dispatcherFixture()
  })
  afterEach(() => f.close())

  const roleChanges = () => f.db.roleChange.count({ where: { actorId: { not: 'config' } } })
  const mention = (id: string, name: string) => ({ mentions: [{ id, name }] })

  it('/任命 needs a real @-mention of someone in the group, a known role and village or grid', async () => {
    expect(await f.say(ADMIN, '/任命 赵德明 村书记 卫华村', '卫华村')).toContain('没有找到被 @ 的群成员')
    expect(await f.say(ADMIN, '/任命 @新人 村书记 卫化村', '卫华村', mention('wx_new', '新人'))).toContain('您是说「卫华村」吗')
    expect(await f.say(ADMIN, '/任命 @新人 网格员 卫华村第9网格', '卫华村', mention('wx_new', '新人'))).toContain('没看懂「第9网格」')
    expect(await f.say(ADMIN, '/任命 @新人 保洁员 卫华村', '卫华村', mention('wx_new', '新人'))).toContain('请写明身份')
    expect(await f.say(ADMIN, '/任命 @新人 村书记', '卫华村', mention('wx_new', '新人'))).toContain('请写明是哪个村的村书记')
    // someone the group does not have
    expect(await f.say(ADMIN, '/任命 @新人 村书记 卫华村', '卫华村', mention('wx_new', '新人'))).toContain('新人 不在本群里')
    // residents and secretaries may not appoint, bind or import
    expect(await f.say(RESIDENT, '/任命 @新人 村书记 卫华村', '卫华村', mention(SECRETARY, '赵德明'))).toContain('只有乡办公室管理员可以使用')
    expect(await f.say(SECRETARY, '/绑定 卫华村', '卫华村')).toContain('只有乡办公室管理员可以使用')
    expect(await f.say(SECRETARY, '/导入 台账', '卫华村')).toContain('只有乡办公室管理员可以使用')
    expect(await roleChanges()).toBe(0)
  })

  it('appoints at once, audits before → after, and /免职 takes it back', async () => {
    f.members.set(f.groupOf('卫华村'), [{ id: 'wx_new', name: '新人' }, { id: ADMIN, name: '刘主任' }])
    expect(await f.say(ADMIN, '/任命 @新人\u2005网格员 卫华村第2网格', '卫华村', mention('wx_new', '新人'))).toContain('已任命 新人 为网格员 卫华村第2网格')
    expect(f.township.person('wx_new')?.role).toBe('grid')
    expect(await f.say('wx_new', '/清运 垃圾1吨', '卫华村')).toContain('卫华村') // acts at once
    expect(await f.say(ADMIN, '/任命 @新人 村书记 卫华村', '卫华村', mention('wx_new', '新人'))).toContain('（原为网格员 卫华村第2网格）')
    expect(await f.say(ADMIN, '/免职 @新人', '卫华村', mention('wx_new', '新人'))).toContain('已免去 新人 的村书记 卫华村身份')
    expect(f.township.person('wx_new')).toBeUndefined()
    expect(await f.say('wx_new', '/清运 垃圾1吨', '卫华村')).toContain('只有')
    const audit = await f.db.roleChange.findMany({ where: { wechatId: 'wx_new' }, orderBy: { id: 'asc' } })
    expect(audit.map((a) => [a.action, a.before, a.after, a.actorName])).toEqual([
      ['任命', null, '网格员 卫华村第2网格', '刘主任'],
      ['任命', '网格员 卫华村第2网格', '村书记 卫华村', '刘主任'],
      ['免职', '村书记 卫华村', null, '刘主任'],
    ])
    expect(audit.every((a) => a.messageId?.startsWith('msg-'))).toBe(true)
  })

  it('/我是 asks the village supervisor and the admins; only they decide, once', async () => {
    const asked = await f.say('wx_new', '/我是 卫华村 网格员', '卫华村')
    expect(asked).toContain('已收到您的申请（1 号）')
    expect(f.notices.filter((n) => n.text === '村民申请为卫华村网格员，回复 /同意 1 或 /拒绝 1').map((n) => n.conversationId).sort()).toEqual(
      expect.arrayContaining([SUPERVISOR, ADMIN]),
    )
    expect(await f.say('wx_new', '/我是 卫华村 网格员', '卫华村')).toContain('还在等待审核')
    expect(await f.say(SECRETARY, '/同意 1', '卫华村')).toContain('只有')
    expect(await f.say('wx_new', '/我是 卫华村 书记', '卫明村')).toContain('请在卫华村的村级群里发')
    expect(await f.say(SUPERVISOR, '/拒绝 1 不认识此人')).toContain('已拒绝 1 号申请')
    expect(f.notices.at(-1)?.text).toContain('没有通过（马包村：不认识此人）')
    expect(await f.say(ADMIN, '/同意 1')).toContain('已经处理过了')
    expect(f.township.person('wx_new')).toBeUndefined()
    expect(await f.say(ADMIN, '/同意 99')).toContain('没有 99 号申请')
  })

  it('the admin code: wrong, locked after 5 tries, expired; never a second first admin', async () => {
    // The example township has admins: the code flow is refused.
    expect(await f.say('wx_new', '/管理员 123456', undefined, { where: { kind: 'private' }, conversationId: 'wx_new' })).toContain('本乡已有管理员')
    await f.db.person.deleteMany({ where: { role: 'admin' } })
    f.township.setRoster({ people: f.township.everyone.filter((p) => p.role !== 'admin'), groups: f.township.boundGroups })
    const privately = (text: string) => f.say('wx_new', text, undefined, { where: { kind: 'private' }, conversationId: 'wx_new' })
    const setup = (await f.services.roster.setupCode())!
    expect(await f.say('wx_new', `/管理员 ${setup.code}`, '卫华村')).toContain('请私聊助手') // never in a group
    for (let i = 1; i <= 4; i++) expect(await privately('/管理员 000000')).toContain('验证码不对')
    expect(await privately('/管理员 000000')).toContain('已连续输错 5 次，已作废')
    expect(await privately(`/管理员 ${setup.code}`)).toContain('已作废')
    // a new code (a restart), then too late
    const fresh = (await f.services.roster.setupCode())!
    expect(fresh.code).not.toBe(undefined)
    f.clock.advanceDays(1)
    expect(await privately(`/管理员 ${fresh.code}`)).toContain('已过期')
    const third = (await f.services.roster.setupCode())!
    expect(await privately(`/管理员 ${third.code}`)).toContain('您已成为示范乡的乡办公室管理员')
    expect(await f.services.roster.setupCode()).toBeUndefined()
    expect(await f.say('wx_other', `/管理员 ${third.code}`, undefined, { where: { kind: 'private' }, conversationId: 'wx_other' })).toContain('本乡已有管理员')
  })

  it('imports refuse what they cannot read and change nothing; a preview expires after an hour', async () => {
    const sendFile = (name: string, data: Buffer) => f.sayFull(ADMIN, '', undefined, { file: { name, data } })
    expect((await sendFile('坏文件.xlsx', Buffer.from('not a zip at all')))?.text).toContain('收到「坏文件.xlsx」')
    expect(await f.say(ADMIN, '/导入 台账')).toContain('「坏文件.xlsx」没有导入')
    const encrypted = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4000), Buffer.from('EncryptedPackage', 'utf16le')])
    await sendFile('加密.xlsx', encrypted)
    expect(await f.say(ADMIN, '/导入 人员')).toContain('密码')
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('台账')
    ws.addRow(['村', '问题描述', '状态'])
    ws.addRow(['卫华村', '村口垃圾堆放', '已完成'])
    ws.addRow(['卫化村', '渠边杂物', '未整改'])
    ws.addRow(['渔业村', '江边柴草垛', '拖着'])
    await sendFile('台账.xlsx', Buffer.from(await wb.xlsx.writeBuffer()))
    const preview = await f.say(ADMIN, '/导入 台账')
    expect(preview).toContain('将导入 1 个问题')
    expect(preview).toContain('第 3 行：没有这个村：卫化村')
    expect(preview).toMatch(/第 4 行：.*拖着/)
    expect(await f.db.problem.count()).toBe(0)
    f.clock.set(new Date(f.clock().getTime() + 61 * 60_000))
    expect(await f.say(ADMIN, '/确认导入')).toContain('预览已过期')
    expect(await f.db.problem.count()).toBe(0)
    expect(await f.say(ADMIN, '/确认导入')).toContain('预览已过期')
  })

  it('a roster from Excel: matched by WeChat name or group nickname, never guessed, applied once on /确认导入', async () => {
    const room = f.groupOf('卫华村')
    await f.services.roster.bind({ roomId: room, topic: '卫华村人居环境群', scope: 'village', village: '卫华村' }, { id: ADMIN, name: '刘主任' })
    f.township.setRoster({ people: f.township.everyone, groups: [{ roomId: room, topic: '卫华村人居环境群', scope: 'village', village: '卫华村' }] })
    f.members.set(room, [
      { id: 'wx_a', name: '阿强', alias: '张三' }, // known in the group by his 群昵称
      { id: 'wx_b', name: '李四' },
      { id: 'wx_c1', name: '王五' },
      { id: 'wx_c2', name: '王五' },
    ])
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('人员')
    ws.addRow(['手机', '职务', '姓名', '村', '网格'])
    ws.addRow(['13800000001', '网格员', '张三', '卫华村', '卫华村第3网格'])
    ws.addRow(['13800000002', '村书记', '李四', '卫华村', ''])
    ws.addRow(['', '网格员', '王五', '卫华村', ''])
    ws.addRow(['', '网格员', '赵六', '卫华村', ''])
    ws.addRow(['', '保洁', '孙七', '卫华村', ''])
    await f.sayFull(ADMIN, '', undefined, { file: { name: '人员名单.xlsx', data: Buffer.from(await wb.xlsx.writeBuffer()) } })
    const preview = await f.say(ADMIN, '/导入 人员')
    expect(preview).toContain('匹配 2 人；未找到 1 人：赵六；同名 1 人：王五（群里有 2 位）')
    expect(preview).toContain('第 6 行：职务「保洁」认不出')
    expect(f.township.person('wx_a')).toBeUndefined() // nothing yet
    expect(await f.say(ADMIN, '/确认导入')).toContain('已从「人员名单.xlsx」导入 2 人')
    expect(f.township.person('wx_a')).toMatchObject({ name: '张三', role: 'grid', grid: '卫华村第3网格', villages: ['卫华村'], phone: '13800000001' })
    expect(f.township.person('wx_b')?.role).toBe('village')
    expect(f.township.person('wx_c1')).toBeUndefined()
    expect(await f.say(ADMIN, '/确认导入')).toContain('已经写入过了')
    expect(await f.db.roleChange.count({ where: { action: '导入 人员名单.xlsx' } })).toBe(2)
  })
})
