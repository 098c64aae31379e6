// A second connection to the same mock WeChat account, as a second process logged into the same
// bot account gets from its provider: a PuppetServer of its own (the stock one serves one event
// stream), on its own port and token, around the same mock puppet, so both connections receive
// every message and either may send.
import { randomUUID } from 'node:crypto'
import { PuppetServer } from 'wechaty-puppet-service'
import { getFreePort, removePayloadCache, type MockPuppetServiceOptions, type MockWechat } from './puppet-server.ts'

export interface SecondConnection {
  puppetOptions: MockPuppetServiceOptions
  token: string
  endpoint: string
  stop(): Promise<void>
}

export async function secondConnection(wechat: MockWechat): Promise<SecondConnection> {
  const port = await getFreePort()
  const endpoint = `127.0.0.1:${port}`
  // Its own token: the client keeps a payload cache per token, which two clients cannot share.
  const token = `insecure_${randomUUID()}`
  const server = new PuppetServer({ endpoint, puppet: wechat.puppet, tls: { disable: true }, token })
  await server.start()
  return {
    puppetOptions: { endpoint, tls: { disable: true }, token },
    token,
    endpoint,
    async stop() {
      await server.stop()
      removePayloadCache(token)
    },
  }
}
