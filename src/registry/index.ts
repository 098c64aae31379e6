export { Args } from './args.ts'
export {
  ALL_ROLES,
  CADRE_ROLES,
  SUPERVISING_ROLES,
  type CommandContext,
  type CommandDefinition,
  commandsOver,
  type CommandReply,
  type IncomingFile,
  type Mention,
} from './define.ts'
export { createDispatcher, type Arrival, type Dispatch, type Handled, type IncomingMessage, type LoadMessage, type MessageHooks, type DispatchServices, type MessageScope, type Reply, type ReplySink, type RunInScope, type SharedInbox } from './dispatch.ts'
export { ArgumentError, NeedMore, Suggestion } from './errors.ts'
export { Registry } from './registry.ts'
export { normalizeText, splitCommand, tokenize } from './text.ts'
