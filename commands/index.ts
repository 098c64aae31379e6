// Every chat command, in the order /帮助 lists them. A test checks that each file here is listed.
import type { CommandDefinition } from '../src/registry/index.ts'
import acceptReport from './accept-report.ts'
import cancel from './cancel.ts'
import confirmReport from './confirm-report.ts'
import declineReport from './decline-report.ts'
import disputeReport from './dispute-report.ts'
import fileProblem from './file-problem.ts'
import help from './help.ts'
import ledger from './ledger.ts'
import lookup from './lookup.ts'
import overdue from './overdue.ts'
import photo from './photo.ts'
import progress from './progress.ts'
import ranking from './ranking.ts'
import sendBack from './send-back.ts'
import snapshot from './snapshot.ts'
import stats from './stats.ts'
import verify from './verify.ts'

export const commands: CommandDefinition<any>[] = [
  fileProblem,
  progress,
  verify,
  sendBack,
  photo,
  snapshot,
  acceptReport,
  declineReport,
  confirmReport,
  disputeReport,
  ledger,
  lookup,
  overdue,
  stats,
  ranking,
  help,
  cancel,
]
