// The environment, read once at start by the composition root.
import { z } from 'zod'

const envSchema = z.object({
  /** Township YAML; default: the example township in the repo. */
  RENJU_CONFIG: z.string().default('config/township.example.yaml'),
  /** Production records: a SQLite `file:` URL, or a `postgresql://` URL for PostgreSQL. */
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/i, 'DATABASE_URL 应以 file: 或 postgresql:// 开头，例如 file:./data/renju.sqlite 或 postgresql://renju:密码@127.0.0.1:5432/renju')
    .optional(),
  /** Nightly backups of the database and the photo index. */
  RENJU_BACKUP_DIR: z.string().default('data/backups'),
  /** Photo files, stored once each by content. */
  RENJU_PHOTO_DIR: z.string().default('data/photos'),
  /**
   * Wechaty's own convention: the npm name of the puppet to run on, any one installed
   * (e.g. wechaty-puppet-padlocal). Unset: wechaty-puppet-service with a token, the sandbox without.
   */
  WECHATY_PUPPET: z.string().trim().min(1).optional(),
  /** Set: connect to real WeChat through wechaty-puppet-service. Unset: the local sandbox. */
  WECHATY_PUPPET_SERVICE_TOKEN: z.string().min(1).optional(),
  /** host:port of the puppet service; without it the token is resolved by Wechaty's discovery. */
  WECHATY_PUPPET_SERVICE_ENDPOINT: z.string().optional(),
  WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: z.stringbool().default(false),
  /** Sandbox only: its own database file, laid anew at each start. */
  RENJU_SANDBOX_DB: z.string().default('data/sandbox.sqlite'),
  /** Sandbox only: skip the demo conversation. */
  RENJU_NO_DEMO: z.stringbool().default(false),
  /** Sandbox only: the port of the browser sandbox (0 = any free port). */
  RENJU_SANDBOX_PORT: z.coerce.number<string>().int('RENJU_SANDBOX_PORT 应为端口号，例如 8788').min(0).max(65535, 'RENJU_SANDBOX_PORT 应为 0–65535').default(8788),
  /** Sandbox only: the address the browser sandbox listens on; a local tool, so loopback by default. */
  RENJU_SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  /** PostgreSQL shared by several processes: seconds a dead process's sending lease and messages wait before another takes them. */
  RENJU_LEASE_SECONDS: z.coerce.number<string>().positive('RENJU_LEASE_SECONDS 应为正数（秒），例如 30').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).superRefine((env, ctx) => {
  if (env.WECHATY_PUPPET === 'wechaty-puppet-service' && !env.WECHATY_PUPPET_SERVICE_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['WECHATY_PUPPET_SERVICE_TOKEN'], message: 'WECHATY_PUPPET=wechaty-puppet-service 需要服务商给的令牌' })
  }
})

export type Environment = z.infer<typeof envSchema>

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const result = envSchema.safeParse(env)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`环境变量有误：\n${lines.join('\n')}`)
  }
  return result.data
}
