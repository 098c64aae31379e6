// The bare echo bot as a process of its own, configured as the assistant is (the puppet-service
// environment), so that a benchmark can time its start and read its memory from outside.
//   WECHATY_PUPPET_SERVICE_ENDPOINT=127.0.0.1:port WECHATY_PUPPET_SERVICE_TOKEN=insecure_… node echo-bot-main.js
import { startEchoBot } from './echo-bot.ts'

const endpoint = process.env['WECHATY_PUPPET_SERVICE_ENDPOINT']
const token = process.env['WECHATY_PUPPET_SERVICE_TOKEN']
if (!endpoint || !token) throw new Error('set WECHATY_PUPPET_SERVICE_ENDPOINT and WECHATY_PUPPET_SERVICE_TOKEN')
const bot = await startEchoBot({ endpoint, token, tls: { disable: true } })
const stop = () => void bot.stop().finally(() => process.exit(0))
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
