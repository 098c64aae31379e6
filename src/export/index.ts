export { exportCampaign } from './campaign-workbook.ts'
export { exportLedger } from './ledger-workbook.ts'
export { TOWNSHIP_LEVEL, excelDate, type CampaignExportOptions, type ExcelFile, type LedgerExportOptions } from './workbook.ts'
