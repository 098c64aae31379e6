import { z } from 'zod'
import { ALL_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

// The dispatcher keeps a half-written command until this runs; clearing it is all there is to do.
export default defineCommand({
  name: '取消',
  aliases: ['算了'],
  summary: '放弃正在补充的命令',
  usage: '/取消',
  examples: ['/取消'],
  roles: ALL_ROLES,
  parse: () => ({}),
  schema: z.object({}),
  async run(_args, ctx) {
    return (await ctx.dropPrompt()) ? '好的，已取消。' : '没有需要取消的命令。'
  },
})
