// Recalls count against the flood limits like commands: a burst is warned once, then ignored.
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
})
