// The words a bulletin or an assessment uses for what it reports on: a township reports on its
// villages, a county on its townships. The figures are the same; only the words change.
export interface Level {
  /** The whole, as a row and in headlines: 全乡, 全县. */
  whole: string
  /** One of the parts, as a table's first column: 村, 乡镇. */
  unit: string
  /** Who follows up a part below the assessment's pass line. */
  overseer: string
}

export const TOWNSHIP_WORDS: Level = { whole: '全乡', unit: '村', overseer: '包村干部' }
export const COUNTY_WORDS: Level = { whole: '全县', unit: '乡镇', overseer: '乡镇主要负责同志' }
