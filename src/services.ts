// The services bag: what commands and workflows may use. The composition root owns it; the
// command framework (src/registry) is generic over it and knows none of these parts.
import type { Campaign } from './campaign/campaign.ts'
import type { Policy, TownshipConfig } from './config/schema.ts'
import type { Township } from './config/township.ts'
import type { Imports } from './import/imports.ts'
import type { Extensions, Ledger } from './ledger/index.ts'
import type { StatusReport } from './maintenance/health.ts'
import type { Notifier, OutgoingFile } from './outgoing.ts'
import type { SentMessages } from './outbox/sent.ts'
import type { PhotoLibrary, PhotoPairing } from './photos/index.ts'
import { commandsOver, type CommandContext as GenericContext } from './registry/define.ts'
import type { Reports } from './reports/reports.ts'
import type { RoleRequests } from './roster/requests.ts'
import type { Roster, RoomDirectory } from './roster/roster.ts'
import type { Schedule, TipLibrary } from './schedule/index.ts'
import type { Month } from './stats/periods.ts'

/** What commands and workflows may use; built by the composition root (src/app.ts). */
export interface Services {
  config: TownshipConfig
  township: Township
  roster: Roster
  requests: RoleRequests
  rooms: RoomDirectory
  imports: Imports
  /** What the bot said, for quotes of its messages. */
  sent: SentMessages
  ledger: Ledger
  photos: PhotoLibrary
  pairing: PhotoPairing
  reports: Reports
  extensions: Extensions
  campaign: Campaign
  /** The bot's health, for /状态. */
  status(): Promise<StatusReport>
  /** Excel files of the records, for /导出. */
  exports: { ledger(village?: string): Promise<OutgoingFile>; campaign(): Promise<OutgoingFile> }
  schedule: Schedule
  tips: TipLibrary
  notify: Notifier
  policy: Policy
  /** Only on the township whose account serves a county's group: the county's figures. */
  county?: CountyView
}

/** What the county group and the county office are answered from (every township's records, read only). */
export interface CountyView {
  name: string
  townshipNames: readonly string[]
  /** /统计 全县, or /统计 某某乡 (the word as written: 全县, 西乡 or 西); an unknown name is a UserError listing the townships. */
  statsText(townshipName?: string): Promise<string>
  /** /排名 of townships by the monthly-assessment formula. */
  rankingText(month: Month): Promise<string>
  /** /导出 统计: a sheet per township and a county summary. */
  workbook(): Promise<OutgoingFile>
}


/** A command over these services: one file per command in commands/. */
export const defineCommand = commandsOver<Services>()

export type CommandContext = GenericContext<Services>
