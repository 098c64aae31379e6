import { CADRE_ROLES } from '../src/registry/index.ts'
import { figureCommand } from './shared/figure-command.ts'

export default figureCommand({
  kind: '物资',
  name: '物资',
  aliases: ['配发'],
  summary: '记录配发的物资（240L垃圾桶、30L垃圾桶、垃圾车、工作服、清扫工具）',
  usage: '/物资 村名 名称数量单位…',
  examples: ['/物资 卫华村 240L垃圾桶3套 30L垃圾桶120个 垃圾车1台'],
  roles: CADRE_ROLES,
  icon: '🗑',
})
