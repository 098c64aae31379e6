// Which WeChat the bot talks to: a real account through wechaty-puppet-service.
import { PuppetService } from 'wechaty-puppet-service'
import type { Environment } from '../config/env.ts'

export function servicePuppet(env: Environment & { WECHATY_PUPPET_SERVICE_TOKEN: string }): PuppetService {
  return new PuppetService({
    token: env.WECHATY_PUPPET_SERVICE_TOKEN,
    endpoint: env.WECHATY_PUPPET_SERVICE_ENDPOINT,
    tls: { disable: env.WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT },
  })
}
