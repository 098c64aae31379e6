import { configDefaults, defineConfig } from 'vitest/config'

// Tests whose memory figures need a forced collection (`gc()`) before each reading: without it a
// heap figure measures when the collector last ran, not what is retained.
const needsGc = ['test/fuzz.test.ts']

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    // gRPC, SQLite and native addons are happiest in child processes.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { LOG_LEVEL: 'silent', WECHATY_LOG: 'silent' },
    // Both inherit everything above (arrays are concatenated, so `include` is set per project);
    // only the worker's Node flags differ.
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...needsGc] } },
      { extends: true, test: { name: 'gc', include: needsGc, execArgv: ['--expose-gc'] } },
    ],
  },
})
