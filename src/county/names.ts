// Which township a word names, as people write it: 城关镇, or 城关 without the 镇.
import type { County, CountyTownship } from './county.ts'

/** Words for the whole county in `/统计 全县`. */
const WHOLE = new Set(['全县', '县', '全部', '所有乡镇', '各乡镇'])

const bare = (name: string) => name.replace(/\s+/g, '').replace(/(乡|镇|街道|街道办事处)$/, '')

/**
 * The township `word` names: 'county' for 全县 (or no word, or the county's own name);
 * undefined when it names no township of the county.
 */
export function townshipNamed(county: County, word: string | undefined): CountyTownship | 'county' | undefined {
  const w = (word ?? '').replace(/\s+/g, '')
  if (w === '' || WHOLE.has(w) || w === county.name) return 'county'
  const exact = county.townships.find((t) => t.name === w)
  if (exact) return exact
  // 城关 for 城关镇, only when it names one township.
  const loose = county.townships.filter((t) => bare(t.name) === bare(w))
  return loose.length === 1 ? loose[0] : undefined
}
