// PostgreSQL out of reach while the assistant runs: messages wait (in order) and are stored and
// answered once it is back; none is lost, none answered with an error, none doubled.
import { createServer, connect, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { dropTestDatabase, freshDatabaseUrlOn } from '../support/db.ts'
import { startWireTownship, type WireTownship } from '../support/wire-township.ts'

const SECRETARY = 'wxid_sec_weihua'
const GROUP = '卫华村人居环境群'

/** A TCP relay to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
async function relayTo(target: { host: string; port: number }) {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on('close', () => sockets.delete(s))
          s.on('error', () => s.destroy())
        }
        client.pipe(upstream).pipe(client)
      })
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port
        resolve()
      })
    })
  await listen()
  return {
    get port() {
      return port
    },
    async cut() {
      await new Promise<void>((resolve) => server!.close(() => resolve()) && sockets.forEach((s) => s.destroy()))
    },
    // (not cut: nothing to do, so a test that failed before its cut reports that, not a port in use)
    restore: () => (server?.listening ? Promise.resolve() : listen()),
    close: () => new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()) && sockets.forEach((s) => s.destroy())),
  }
}

describe('PostgreSQL out of reach while running', () => {
  let t: WireTownship | undefined
  let realUrl = ''
  let relay: Awaited<ReturnType<typeof relayTo>> | undefined
  /** A fresh database, the relay in front of it, and the assistant connected through the relay. */
  const startRelayed = async (options: { groupUnreadableAtLogin?: string } = {}) => {
    realUrl = await freshDatabaseUrlOn('postgresql')
    const real = new URL(realUrl)
    relay = await relayTo({ host: real.hostname, port: Number(real.port) })
    const relayed = new URL(realUrl)
    relayed.port = String(relay.port)
    t = await startWireTownship(undefined, { databaseUrl: relayed.toString() })
    const unreadable = options.groupUnreadableAtLogin && t.rooms.get(options.groupUnreadableAtLogin)!.room.id
    if (unreadable) t.wechat.puppet.roomMembersFailFor.add(unreadable)
    await t.startBot()
    if (unreadable) t.wechat.puppet.roomMembersFailFor.delete(unreadable)
    return { t, relay }
  }
  afterEach(async () => {
    await t?.close()
    await relay?.close()
    await dropTestDatabase(realUrl)
  }, 60_000)

  it('keeps the messages said meanwhile, and answers each once, in order, when it is back', async () => {
    const { t, relay } = await startRelayed()
    expect((await t.say(SECRETARY, GROUP, '/问题 卫华村 一组路边垃圾')).text).toContain('已登记 #1 ')

    await relay.cut()
    const seen = t.rooms.get(GROUP)!.seen
    const from = seen.messages.length
    for (const n of [2, 3, 4]) t.contact(SECRETARY).say(`/问题 卫华村 ${n}组柴草乱堆`).to(t.rooms.get(GROUP)!.room)
    // Three seconds without the database: the first tries fail and are retried after 1 and 2 s.
    await new Promise((r) => setTimeout(r, 3000))
    expect(seen.messages.slice(from).filter((m) => m.talkerId === 'wxid_renju_bot')).toHaveLength(0)
    await relay.restore()

    const replies: string[] = []
    for (let k = 0; k < 3; k++) replies.push((await seen.waitFor((m) => m.talkerId === 'wxid_renju_bot', 60_000, from + replies.length * 2)).text)
    const answered = () => seen.messages.slice(from).filter((m) => m.talkerId === 'wxid_renju_bot').map((m) => m.text)
    await new Promise((r) => setTimeout(r, 1000))
    expect(answered().map((text) => /已登记 #(\d+) 卫华村：(\d)组/.exec(text)?.slice(1))).toEqual([['2', '2'], ['3', '3'], ['4', '4']])
    expect(answered().some((text) => text.includes('系统出错'))).toBe(false)
    const { openDatabase } = await import('../../src/db/index.ts')
    const db = await openDatabase(realUrl)
    try {
      expect(await db.problem.count()).toBe(4)
      expect(await db.inboxMessage.count({ where: { handledAt: null } })).toBe(0)
    } finally {
      await db.$disconnect()
    }
  }, 120_000)

  it('cut just after a command committed (while the changed roster is read again): the command is not run again', async () => {
    // The provider could not describe the group at login, so its first message records it (bound
    // by the topic the config names), and the roster is read again after the commit: the
    // connection is cut as that read leaves (the seam sees a statement just before it is sent).
    const { t, relay } = await startRelayed({ groupUnreadableAtLogin: GROUP })
    expect(t.assistant.township.groupOf('village', '卫华村')).toBeUndefined()
    const { statementSeam } = await import('../../src/db/index.ts')
    let cut: Promise<void> | undefined
    let committed = false
    let problemInserts = 0
    statementSeam.log = (sql, inTransaction) => {
      if (/^INSERT INTO "public"\."Problem"/.test(sql)) problemInserts++
      if (inTransaction && /^COMMIT$/.test(sql.trim())) committed = true
      else if (committed && !inTransaction && /"Person"/.test(sql) && !cut) cut = relay.cut()
    }
    const seen = t.rooms.get(GROUP)!.seen
    const from = seen.messages.length
    try {
      t.contact(SECRETARY).say('/问题 卫华村 一组路边垃圾').to(t.rooms.get(GROUP)!.room)
      for (let waited = 0; !cut && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20))
      expect(cut).toBeDefined()
      await cut
      await new Promise((r) => setTimeout(r, 1500))
    } finally {
      await relay.restore()
    }
    expect((await seen.waitFor((m) => m.talkerId === 'wxid_renju_bot', 60_000, from)).text).toContain('已登记 #1 ')
    await new Promise((r) => setTimeout(r, 1000))
    statementSeam.log = undefined
    // Run once: its problem written once (a second try would be rolled back, but not unsent).
    expect(problemInserts).toBe(1)
    expect((await t.say(SECRETARY, GROUP, '/问题 卫华村 二组柴草乱堆', { timeoutMs: 60_000 })).text).toContain('已登记 #2 ')
    expect(seen.messages.filter((m) => m.talkerId === 'wxid_renju_bot' && m.text.includes('一组路边垃圾'))).toHaveLength(1)
  }, 120_000)
})
