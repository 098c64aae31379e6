import { z } from 'zod'
import { ROLE_LABELS, type Person } from '../src/config/township.ts'
import { CADRE_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { formatDate } from '../src/time.ts'

const ORDER = ['admin', 'duty', 'supervisor', 'village', 'grid'] as const

export default defineCommand({
  name: '人员',
  aliases: ['人员名单', '花名册'],
  summary: '按村和身份列出人员，谁任命的、什么时候；标出已不在任何群里的人',
  usage: '/人员 [村名]',
  examples: ['/人员', '/人员 卫华村'],
  roles: CADRE_ROLES,
  parse: (args) => ({ village: args.village(), extra: args.rest() }),
  schema: z.object({ village: z.string().optional(), extra: z.undefined({ error: '只需要写村名，例如 /人员 卫华村' }) }),
  async run({ village }, ctx) {
    const { township, roster, rooms } = ctx.services
    const changes = await roster.latestChanges()
    // Who is still in at least one bound group (a removed member keeps a role they cannot use).
    const present = new Set<string>()
    let groupsRead = 0
    for (const group of township.boundGroups) {
      const members = await rooms.members(group.roomId).catch(() => undefined)
      if (!members) continue
      groupsRead++
      for (const m of members) present.add(m.id)
    }
    const line = (p: Person) => {
      const change = changes.get(p.wechatId)
      const by = change ? `（${change.actorName} ${formatDate(change.at)}${change.action}）` : ''
      const gone = groupsRead > 0 && !present.has(p.wechatId) ? ' ⚠️ 已不在任何工作群' : ''
      return `· ${p.name}${p.grid ? ` ${p.grid}` : ''}${by}${gone}`
    }
    const people = township.everyone.filter((p) => !village || p.villages.includes(village) || p.villages.length === 0)
    if (people.length === 0) return village ? `${village}还没有登记人员。可以 /任命 @某人 村书记 ${village}，或让村里人发 /我是 ${village} 网格员。` : '还没有登记人员。'
    const out: string[] = [village ? `${village}人员（${people.length} 人）：` : `${township.name}人员（${people.length} 人）：`]
    for (const role of ORDER) {
      const holders = people.filter((p) => p.role === role)
      if (holders.length === 0) continue
      if (role === 'village' || role === 'grid') {
        for (const v of township.villageNames.filter((name) => !village || name === village)) {
          const here = holders.filter((p) => p.villages.includes(v))
          if (here.length > 0) out.push(`【${v}${ROLE_LABELS[role]}】`, ...here.map(line))
        }
      } else {
        out.push(`【${ROLE_LABELS[role]}】`, ...holders.map(line))
      }
    }
    return out.join('\n')
  },
})
