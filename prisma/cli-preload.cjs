// Loaded (node -r) into the Prisma CLI when it runs on PostgreSQL. Its schema engine (WebAssembly)
// arms a 10 s timer per command that it never clears: `migrate deploy` has done its work in well
// under a second and then waits 10 s to exit, at every start of the assistant and in every test
// that migrates. The timer is unref'd, so it no longer keeps the process alive by itself; while
// the engine still works, its open connection does.
const { setTimeout: arm } = globalThis
globalThis.setTimeout = function (callback, ms, ...args) {
  const timer = arm.call(this, callback, ms, ...args)
  if (ms >= 10_000 && timer && typeof timer.unref === 'function') timer.unref()
  return timer
}
