export { TOWNSHIP_LEVEL, excelDate, exportCampaign, exportLedger, type CampaignExportOptions, type ExcelFile, type LedgerExportOptions } from './excel.ts'
