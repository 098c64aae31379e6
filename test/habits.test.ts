// Short answers and recalls, through the dispatcher: 确认 (also a command word) answers a yes/no
// question; recalls count against the flood limits like commands.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dispatcherFixture, SECRETARY } from './support/dispatcher.ts'

describe('recall flood', () => {
  let f: Awaited<ReturnType<typeof dispatcherFixture>>
  beforeEach(async () => {
    f = await dispatcherFixture()
  })
  afterEach(() => f.close())

  it('a burst of recalls is warned once and then ignored', async () => {
    const limit = f.services.policy.perSenderPerMinute
    const replies: (string | undefined)[] = []
    for (let i = 0; i < limit + 5; i++) replies.push(await f.say(SECRETARY, '', '卫华村', { recalledId: `gone-${i}` }))
    const said = replies.filter((r): r is string => r !== undefined)
    expect(said).toEqual(['您发得太快了，请过一分钟再发。这段时间发的命令不会处理。'])
  })

  it('确认 answers the yes/no question it was asked, though it is also a command word', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    expect(await f.say(SECRETARY, '/整改 卫化村 已完成', '卫华村')).toContain('回复「是」就按「卫华村」办理')
    expect(await f.say(SECRETARY, '确认', '卫华村')).toContain('待整改 → 已完成')
    expect((await f.ledger.find(1)).status).toBe('已完成')
  })
})
