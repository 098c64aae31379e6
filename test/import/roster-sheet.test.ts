import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { readRosterSheet, rosterTemplate } from '../../src/import/roster-sheet.ts'
import { ImportError } from '../../src/import/workbook.ts'
import { xlsx } from './sheets.ts'

describe('readRosterSheet', () => {
  it('reads a header in row 1', async () => {
    const data = await xlsx([
      ['姓名', '村', '职务', '网格', '手机'],
      ['赵德明', '卫华村', '村书记', null, '13800000001'],
      ['王五', '卫华村', '网格员', '卫华村第1网格', 13800000002],
    ])
    expect(await readRosterSheet(data)).toEqual({
      rows: [
        { row: 2, name: '赵德明', village: '卫华村', role: '村书记', phone: '13800000001' },
        { row: 3, name: '王五', village: '卫华村', role: '网格员', grid: '卫华村第1网格', phone: '13800000002' },
      ],
      problems: [],
    })
  })

  it('finds the header in row 4 under a title, with columns shuffled and named by synonyms', async () => {
    const data = await xlsx(
      [
        ['示范乡人居环境整治人员名单'],
        ['填报单位：示范乡政府', null, null, '2026年11月'],
        [],
        ['联系电话', '所在网格', '名字', '身份', '所在村'],
        ['13800000003', null, '钱 永 福', '包村干部', '渔业村、卫华村'],
        [null, null, null, null, null],
        ['', '渔业村第2网格', '孙  七', '网格员', '渔业村'],
      ],
      (ws) => ws.mergeCells('A1:E1'),
    )
    const { rows, problems } = await readRosterSheet(data)
    expect(problems).toEqual([])
    expect(rows).toEqual([
      { row: 5, name: '钱永福', village: '渔业村、卫华村', role: '包村干部', phone: '13800000003' },
      { row: 7, name: '孙七', village: '渔业村', role: '网格员', grid: '渔业村第2网格' },
    ])
  })

  it.each([
    ['姓名', '村名', '角色', '网格', '电话'],
    ['名字', '村', '职务', '所在网格', '手机号'],
    ['姓名（必填）', '所在村', '身份', '网格', '手机号码'],
  ])('accepts the header words %s %s %s %s %s', async (...header) => {
    const { rows } = await readRosterSheet(await xlsx([header, ['李四', '卫明村', '网格员', '卫明村第1网格', '13800000004']]))
    expect(rows).toEqual([{ row: 2, name: '李四', village: '卫明村', role: '网格员', grid: '卫明村第1网格', phone: '13800000004' }])
  })

  it('reports a row without a name, by its Excel row, and skips empty rows silently', async () => {
    const data = await xlsx([['姓名', '村', '职务'], ['李四', '卫明村', '网格员'], [], [null, '卫明村', '网格员'], ['  ', null, null]])
    expect(await readRosterSheet(data)).toEqual({ rows: [{ row: 2, name: '李四', village: '卫明村', role: '网格员' }], problems: [{ row: 4, reason: '没有写姓名' }] })
  })

  it('refuses a sheet without a 姓名 column, saying which column to add', async () => {
    const error = await readRosterSheet(await xlsx([['村', '职务'], ['卫华村', '村书记']])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ImportError)
    expect((error as Error).message).toBe('第 1 行是表头，但缺少 “姓名” 这一列。请加上这一列（列名可以是：姓名/名字）后再发。')
  })
})

describe('rosterTemplate', () => {
  it('has the five headers, two grey example rows, a 职务 drop-down and a sheet explaining 职务', async () => {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load((await rosterTemplate()) as unknown as ArrayBuffer)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['人员', '填写说明'])
    const ws = wb.getWorksheet('人员')!
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['姓名', '村', '职务', '网格', '手机'])
    expect((ws.getRow(2).values as unknown[]).slice(1, 4)).toEqual(['赵德明', '卫华村', '村书记'])
    expect((ws.getRow(3).values as unknown[]).slice(1)).toEqual(['王五', '卫华村', '网格员', '卫华村第1网格'])
    expect(ws.getCell('C2').dataValidation).toMatchObject({ type: 'list', errorStyle: 'warning' })
    const help = JSON.stringify(wb.getWorksheet('填写说明')!.getSheetValues())
    for (const word of ['乡办公室管理员', '管理员', '包村干部', '值班领导', '村书记', '网格员']) expect(help).toContain(word)
  })

  it('reads back: the example rows are flagged for deletion, a filled-in row is taken', async () => {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load((await rosterTemplate()) as unknown as ArrayBuffer)
    wb.getWorksheet('人员')!.getRow(4).values = ['李四', '卫明村', '管理员', null, '13800000004']
    const { rows, problems } = await readRosterSheet(Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer))
    expect(rows).toEqual([{ row: 4, name: '李四', village: '卫明村', role: '管理员', phone: '13800000004' }])
    expect(problems.map((p) => p.row)).toEqual([2, 3])
    expect(problems[0]!.reason).toContain('示例')
  })
})
