import { CADRE_ROLES } from '../src/registry/index.ts'
import { figureCommand } from './shared/figure-command.ts'

export default figureCommand({
  kind: '清运',
  name: '清运',
  aliases: ['清理'],
  summary: '记录清运、清理的数量（垃圾、边沟、路面、柴草垛、路障、畜禽粪便、垃圾箱）',
  usage: '/清运 村名 名称数量单位…',
  examples: ['/清运 卫华村 垃圾12吨 边沟0.5公里 柴草垛3处 畜禽粪便2吨', '/清运 渔业村 路障2个 垃圾箱6次'],
  roles: CADRE_ROLES,
  icon: '🚛',
})
