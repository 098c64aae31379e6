import { CADRE_ROLES } from '../src/registry/index.ts'
import { figureCommand } from './shared/figure-command.ts'

export default figureCommand({
  kind: '协议',
  name: '协议',
  aliases: ['三包'],
  summary: '记录签订的"门前三包""地头三包"协议份数',
  usage: '/协议 村名 门前三包N份 地头三包N份',
  examples: ['/协议 卫华村 门前三包120份', '/协议 卫华村 地头三包30份'],
  roles: CADRE_ROLES,
  icon: '🤝',
})
