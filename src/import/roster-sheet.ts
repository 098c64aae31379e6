// /导入 人员: a roster sheet (姓名, 村, 职务, 网格, 手机) read into plain rows, and its template.
// Nothing is checked against the township here; the command does that.
import { loadExcel } from '../export/workbook.ts'
import { cellText, readTable, type HeaderWords } from './workbook.ts'

export interface RosterRow {
  /** 1-based Excel row. */
  row: number
  name: string
  village?: string
  /** As written: 村书记, 网格员, 管理员 … */
  role?: string
  grid?: string
  phone?: string
}

export interface RosterProblem {
  row: number
  reason: string
}

type Field = 'name' | 'village' | 'role' | 'grid' | 'phone'

/** Header words per column; the first is what the template writes. */
export const ROSTER_HEADERS: HeaderWords<Field> = {
  name: ['姓名', '名字'],
  village: ['村', '村名', '所在村'],
  role: ['职务', '角色', '身份'],
  grid: ['网格', '所在网格'],
  phone: ['手机', '电话', '联系电话', '手机号', '手机号码'],
}

/** The 职务 words the template explains; the command maps them to roles. */
export const ROSTER_ROLES: readonly { words: string; meaning: string }[] = [
  { words: '乡办公室管理员（或 管理员）', meaning: '乡党委、政府办公室：可用全部命令，管理人员和导入' },
  { words: '包村干部', meaning: '包村督导：核实销号、退回、批复延期；“村”一栏写所包的村，几个村用顿号隔开，空着表示全乡' },
  { words: '值班领导', meaning: '全乡督导权限，值班周收到提醒' },
  { words: '村书记', meaning: '村书记、村“两委”：登记和整改本村的问题' },
  { words: '网格员', meaning: '登记和整改本网格的问题；“网格”一栏写网格名称' },
]

/** The template's example rows: left in by mistake, they would register two people who do not exist. */
const EXAMPLES = [
  { name: '赵德明', village: '卫华村', role: '村书记', grid: '', phone: '' },
  { name: '王五', village: '卫华村', role: '网格员', grid: '卫华村第1网格', phone: '' },
]

// Names are often padded with spaces to line up two- and three-character names (王  五).
const squeeze = (s: string) => s.replace(/\s+/gu, '')

export async function readRosterSheet(data: Buffer): Promise<{ rows: RosterRow[]; problems: RosterProblem[] }> {
  const table = await readTable(data, { what: '人员名单', fields: ROSTER_HEADERS, required: ['name'] })
  const rows: RosterRow[] = []
  const problems: RosterProblem[] = []
  for (const { row, cells } of table.rows) {
    const name = squeeze(cellText(cells.name))
    const village = squeeze(cellText(cells.village))
    const role = squeeze(cellText(cells.role))
    const grid = cellText(cells.grid)
    const phone = squeeze(cellText(cells.phone))
    if (!name) {
      problems.push({ row, reason: '没有写姓名' })
      continue
    }
    if (EXAMPLES.some((e) => e.name === name && e.village === village && e.role === role && e.grid === grid && e.phone === phone)) {
      problems.push({ row, reason: `${name} 是模板里的示例，请删去这一行（确有此人的，填上手机号再导入）` })
      continue
    }
    rows.push({ row, name, ...(village && { village }), ...(role && { role }), ...(grid && { grid }), ...(phone && { phone }) })
  }
  return { rows, problems }
}

/** /导出 人员模板: the five columns, two example rows, a 职务 list, and a sheet explaining it. */
export async function rosterTemplate(): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook()
  wb.creator = '人居环境整治助手'
  const ws = wb.addWorksheet('人员', { views: [{ state: 'frozen', ySplit: 1 }] })
  const headers = [ROSTER_HEADERS.name[0], ROSTER_HEADERS.village[0], ROSTER_HEADERS.role[0], ROSTER_HEADERS.grid[0], ROSTER_HEADERS.phone[0]]
  ws.columns = headers.map((header, i) => ({ header, width: [10, 12, 16, 18, 16][i] }))
  const head = ws.getRow(1)
  head.font = { bold: true }
  head.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } }
  for (const e of EXAMPLES) ws.addRow([e.name, e.village, e.role, e.grid || null, e.phone || null]).font = { color: { argb: 'FF7F7F7F' }, italic: true }
  // Phone numbers as text, so that Excel neither drops a leading 0 nor writes 1.38E+10.
  ws.getColumn(5).numFmt = '@'
  // A drop-down for 职务 that still accepts other words (a warning, not a refusal): the command reads aliases too.
  for (let r = 2; r <= 500; r++) {
    ws.getCell(r, 3).dataValidation = {
      type: 'list',
      allowBlank: true,
      formulae: ['"乡办公室管理员,包村干部,值班领导,村书记,网格员"'],
      showErrorMessage: true,
      errorStyle: 'warning',
      errorTitle: '职务',
      error: '职务请写：乡办公室管理员（管理员）、包村干部、值班领导、村书记、网格员',
    }
  }

  const help = wb.addWorksheet('填写说明')
  help.columns = [{ width: 30 }, { width: 80 }]
  const lines: (string | null)[][] = [
    ['人员名单填写说明', null],
    [null, null],
    ['在“人员”表里一人一行，第一行的列名不要改。灰色的两行是示例，导入前请删去。', null],
    ['姓名', '必填，写全名'],
    ['村', '所在村，写全称或常用简称（卫华村、卫华都可以）'],
    ['职务', '从下表选一个'],
    ['网格', '网格员所在的网格，其他人可空着'],
    ['手机', '可空着'],
    [null, null],
    ['职务写法', '含义'],
    ...ROSTER_ROLES.map((r) => [r.words, r.meaning]),
    [null, null],
    ['填好后用 /导入 人员 把文件交给助手，核对助手列出的变动，无误后回复 /确认导入。', null],
  ]
  for (const line of lines) help.addRow(line)
  help.getCell('A1').font = { bold: true, size: 14 }
  help.getRow(10).font = { bold: true }
  help.getColumn(2).alignment = { wrapText: true, vertical: 'top' }

  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer)
}
