export type { County, CountyTownship } from './county.ts'
export { CountyFigures, type CountyOptions, type TownshipCounts } from './figures.ts'
export { townshipNamed } from './names.ts'
export { SUMMARY_SHEET } from './workbook.ts'
