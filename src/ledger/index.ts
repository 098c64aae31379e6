export { Ledger, similarText, sumCounts, type ChangeMeta, type ImportedProblem, type NewProblem, type ProblemWithHistory, type VillageCounts } from './ledger.ts'
export { countsTable, percent, problemDetail, problemLine, statusLine } from './format.ts'
export { Extensions, type DeadlineExtension } from './extensions.ts'
export * from './status.ts'
