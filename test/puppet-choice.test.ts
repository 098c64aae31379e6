// WECHATY_PUPPET picks the puppet as Wechaty's own convention has it, with this project's defaults.
import { describe, expect, it } from 'vitest'
import { choosePuppet, ResilientPuppetService } from '../src/bot/puppet.ts'
import { readEnvironment } from '../src/config/env.ts'

const choose = (vars: Record<string, string>) => choosePuppet(readEnvironment(vars))
const TOKEN = { WECHATY_PUPPET_SERVICE_TOKEN: 'insecure_puppet-choice-test', WECHATY_PUPPET_SERVICE_ENDPOINT: '127.0.0.1:1' }

describe('choosePuppet', () => {
  it('defaults to our puppet-service client with a token, and to the sandbox without one', () => {
    const service = choose(TOKEN)
    expect(service).toMatchObject({ kind: 'wechat', name: 'wechaty-puppet-service' })
    expect(service.kind === 'wechat' && service.puppet).toBeInstanceOf(ResilientPuppetService)
    expect(choose({})).toEqual({ kind: 'sandbox' })
  })

  it('honours WECHATY_PUPPET: the mock is the sandbox, even with a token set', () => {
    expect(choose({ WECHATY_PUPPET: 'wechaty-puppet-mock', ...TOKEN })).toEqual({ kind: 'sandbox' })
  })

  it('keeps ResilientPuppetService when WECHATY_PUPPET names puppet-service', () => {
    const service = choose({ WECHATY_PUPPET: 'wechaty-puppet-service', ...TOKEN })
    expect(service.kind === 'wechat' && service.puppet).toBeInstanceOf(ResilientPuppetService)
  })

  it('hands any other puppet to Wechaty by name, token or not', () => {
    expect(choose({ WECHATY_PUPPET: 'wechaty-puppet-padlocal' })).toEqual({ kind: 'wechat', name: 'wechaty-puppet-padlocal', puppet: 'wechaty-puppet-padlocal' })
    expect(choose({ WECHATY_PUPPET: ' @juzibot/wechaty-puppet-wxwork ', ...TOKEN })).toMatchObject({ kind: 'wechat', puppet: '@juzibot/wechaty-puppet-wxwork' })
  })

  it('refuses puppet-service without a token at start, naming the variable', () => {
    expect(() => readEnvironment({ WECHATY_PUPPET: 'wechaty-puppet-service' })).toThrow(/WECHATY_PUPPET_SERVICE_TOKEN: WECHATY_PUPPET=wechaty-puppet-service 需要服务商给的令牌/)
  })
})
