import { z } from 'zod'
import { defineCommand } from '../src/services.ts'
import { formatDateTime } from '../src/time.ts'

const duration = (ms: number) => {
  const minutes = Math.floor(ms / 60_000)
  const days = Math.floor(minutes / 1440)
  const hours = Math.floor((minutes % 1440) / 60)
  return days > 0 ? `${days} 天 ${hours} 小时` : hours > 0 ? `${hours} 小时 ${minutes % 60} 分` : `${minutes} 分钟`
}

export default defineCommand({
  name: '状态',
  aliases: ['运行状态'],
  summary: '助手的运行状态：连接、收发、队列、数据库、备份',
  usage: '/状态',
  examples: ['/状态'],
  roles: ['admin'],
  parse: (args) => ({ extra: args.rest() }),
  schema: z.object({ extra: z.undefined({ error: '直接发 /状态 即可' }) }),
  async run(_args, ctx) {
    const s = await ctx.services.status()
    const when = (d?: Date) => (d ? formatDateTime(d) : '暂无')
    return [
      '🩺 助手运行状态',
      `已运行 ${duration(ctx.now.getTime() - s.startedAt.getTime())}（${formatDateTime(s.startedAt)} 启动）`,
      `微信连接：${s.connected ? '正常' : '中断'}（${formatDateTime(s.since)} 起），重连 ${s.reconnects} 次`,
      `最后收到：${when(s.lastIn)}；最后发出：${when(s.lastOut)}`,
      `待发消息 ${s.pending} 条${s.failed > 0 ? `，发送失败 ${s.failed} 条` : ''}`,
      `数据库 ${(s.databaseBytes / 1024 / 1024).toFixed(1)} MB；最近备份：${when(s.lastBackup)}`,
    ].join('\n')
  },
})
