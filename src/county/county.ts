// A county: several townships, each with its own records (its own PostgreSQL schema, or its own
// SQLite file), read together only for the county's own figures.
import type { Campaign } from '../campaign/campaign.ts'
import type { TownshipConfig } from '../config/schema.ts'
import type { Township } from '../config/township.ts'
import type { Database } from '../db/index.ts'
import type { Ledger } from '../ledger/index.ts'

/** One township of the county, as the county's figures read it. */
export interface CountyTownship {
  /** Short ascii name from the county config: its database schema (or file) is named by it. */
  code: string
  name: string
  config: TownshipConfig
  /** This township's records only. */
  db: Database
  township: Township
  ledger: Ledger
  campaign: Campaign
}

export interface County {
  name: string
  /** In the county config's order. */
  townships: readonly CountyTownship[]
}
