// Every chat command, in the order /帮助 lists them. A test checks that each file here is listed.
import type { CommandDefinition } from '../src/registry/index.ts'
import acceptReport from './accept-report.ts'
import activity from './activity.ts'
import applyRole from './apply-role.ts'
import appoint from './appoint.ts'
import approveRole from './approve-role.ts'
import becomeAdmin from './become-admin.ts'
import bindGroup from './bind-group.ts'
import confirmImport from './confirm-import.ts'
import dismiss from './dismiss.ts'
import groups from './groups.ts'
import importFile from './import.ts'
import people from './people.ts'
import refuseRole from './refuse-role.ts'
import unbindGroup from './unbind-group.ts'
import addTip from './add-tip.ts'
import agreement from './agreement.ts'
import approveExtension from './approve-extension.ts'
import assessment from './assessment.ts'
import bulletin from './bulletin.ts'
import cancel from './cancel.ts'
import clearance from './clearance.ts'
import confirmReport from './confirm-report.ts'
import correct from './correct.ts'
import courtyard from './courtyard.ts'
import declineReport from './decline-report.ts'
import disputeReport from './dispute-report.ts'
import duty from './duty.ts'
import equipment from './equipment.ts'
import exportFile from './export.ts'
import extend from './extend.ts'
import fileProblem from './file-problem.ts'
import funds from './funds.ts'
import grids from './grids.ts'
import help from './help.ts'
import inspection from './inspection.ts'
import ledger from './ledger.ts'
import lookup from './lookup.ts'
import meeting from './meeting.ts'
import overdue from './overdue.ts'
import photo from './photo.ts'
import plan from './plan.ts'
import progress from './progress.ts'
import propaganda from './propaganda.ts'
import push from './push.ts'
import ranking from './ranking.ts'
import refuseExtension from './refuse-extension.ts'
import sendBack from './send-back.ts'
import snapshot from './snapshot.ts'
import stats from './stats.ts'
import status from './status.ts'
import undo from './undo.ts'
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
  extend,
  approveExtension,
  refuseExtension,
  bulletin,
  assessment,
  plan,
  push,
  addTip,
  duty,
  clearance,
  activity,
  inspection,
  meeting,
  courtyard,
  agreement,
  funds,
  equipment,
  propaganda,
  grids,
  undo,
  correct,
  exportFile,
  ledger,
  lookup,
  overdue,
  stats,
  ranking,
  status,
  becomeAdmin,
  bindGroup,
  unbindGroup,
  groups,
  appoint,
  dismiss,
  applyRole,
  approveRole,
  refuseRole,
  people,
  importFile,
  confirmImport,
  help,
  cancel,
]
