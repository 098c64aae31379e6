import { CADRE_ROLES } from '../src/registry/index.ts'
import { figureCommand } from './shared/figure-command.ts'

export default figureCommand({
  kind: '宣传',
  name: '宣传',
  aliases: [],
  summary: '记录宣传工作（宣传单、微信推送、倡议书）',
  usage: '/宣传 村名 宣传单N份 推送N条 倡议书N份',
  examples: ['/宣传 卫华村 宣传单150份', '/宣传 渔业村 推送5条 倡议书40份'],
  roles: CADRE_ROLES,
  icon: '📣',
})
