import { z } from 'zod'
import { ALL_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { SETUP_CODE_TRIES } from '../src/roster/roster.ts'

// The first admin: the code printed at the first start, sent privately by the office's WeChat.
export default defineCommand({
  name: '管理员',
  aliases: [],
  summary: '首次使用：用启动时显示的验证码成为乡办公室管理员',
  usage: '/管理员 六位验证码（私聊助手发送）',
  examples: ['/管理员 483920'],
  roles: ALL_ROLES,
  fromStrangers: true,
  parse: (args) => ({ code: args.match(/^\d{6}$/)?.[0], extra: args.rest() }),
  schema: z.object({
    code: z.string({ error: '请写上启动助手时显示的六位验证码，例如 /管理员 483920' }),
    extra: z.undefined({ error: '只需要写六位验证码，例如 /管理员 483920' }),
  }),
  async run({ code }, ctx) {
    const { roster, township } = ctx.services
    if (ctx.where.kind !== 'private') return '请私聊助手发送 /管理员 验证码（验证码不要发在群里）。'
    if (township.admins().length > 0) return township.person(ctx.actor.id)?.role === 'admin' ? '您已经是管理员了。' : '本乡已有管理员。需要增加管理员，请现有管理员在群里发 /任命 @您 管理员。'
    const verdict = await roster.redeem(code, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId })
    if (verdict === 'wrong') return '验证码不对，请核对启动助手时显示的六位数字再发。'
    if (verdict === 'locked') return `验证码已连续输错 ${SETUP_CODE_TRIES} 次，已作废。请重新启动助手，用新显示的验证码。`
    if (verdict === 'expired') return '验证码已过期（30 分钟内有效）。请重新启动助手，用新显示的验证码。'
    if (verdict === 'none') return '现在没有有效的验证码。请重新启动助手，用新显示的验证码。'
    await roster.appoint({ wechatId: ctx.actor.id, name: ctx.actor.name, role: 'admin', villages: [] }, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId }, '验证码')
    return [
      `${ctx.actor.name}，您已成为${township.name}的乡办公室管理员。接下来：`,
      '1. 把助手拉进乡级工作群和各村级群，在乡级群里发 /绑定 全乡，在每个村级群里发 /绑定 村名；',
      '2. 在群里发 /任命 @某人 村书记 卫华村（或 网格员、包村干部、值班领导），也可以让大家在村级群里发 /我是 卫华村 网格员 申请；',
      '3. 有 Excel 的人员名单或原有整改台账，直接发给助手，再发 /导入 人员 或 /导入 台账。',
      '发 /群 查看助手所在的群，/人员 查看人员名单。',
    ].join('\n')
  },
})
