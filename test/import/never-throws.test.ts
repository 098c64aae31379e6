// Whatever a sheet holds, the readers answer with rows and problems or an ImportError, never anything else.
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { LEDGER_HEADERS, readLedgerSheet } from '../../src/import/ledger-sheet.ts'
import { ROSTER_HEADERS, readRosterSheet } from '../../src/import/roster-sheet.ts'
import { ImportError } from '../../src/import/workbook.ts'
import { xlsx, type Cell } from './sheets.ts'

const now = new Date('2026-11-29T07:00:00Z')
const words = [...Object.values(LEDGER_HEADERS).flat(), ...Object.values(ROSTER_HEADERS).flat()]
const NASTY = ['', ' ', '11.1', '2026-02-30', '13月40日', '0', '-1', '#0', '#N/A', '=1/0', '\u0000\u0007', '😀🧹', '\u202e反向', '9'.repeat(400), '已完成', '搁置', '卫华村', '共 4 条']

const text = fc.oneof(fc.constantFrom(...NASTY, ...words), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ maxLength: 8 }))
const cell: fc.Arbitrary<Cell> = fc.oneof(
  { weight: 4, arbitrary: text },
  fc.constant(null),
  fc.integer({ min: -1e6, max: 1e8 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.date({ noInvalidDate: true, min: new Date('1901-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z') }),
  fc.boolean(),
  text.map((t) => ({ richText: [{ text: t }, { text: '!' }] })),
  fc.oneof(fc.integer(), text).map((result) => ({ formula: 'A1', result }) as Cell),
  text.map((t) => ({ text: t, hyperlink: 'https://example.org' })),
  fc.constant({ error: '#REF!' } as Cell),
)
// Headers drawn from the words both readers know, so that most sheets get past the header.
const sheet = fc.tuple(fc.array(fc.oneof(fc.constantFrom(...words), text), { minLength: 1, maxLength: 8 }), fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 12 }), fc.nat({ max: 3 }))

async function onlyImportErrors(work: () => Promise<unknown>) {
  try {
    await work()
  } catch (error) {
    if (!(error instanceof ImportError)) throw error
  }
}

describe('the readers on random contents', () => {
  it('return rows and problems or throw ImportError, for any cells under any header', async () => {
    await fc.assert(
      fc.asyncProperty(sheet, async ([header, rows, blankRowsAbove]) => {
        const data = await xlsx([...Array.from({ length: blankRowsAbove }, () => []), header, ...rows])
        await onlyImportErrors(() => readLedgerSheet(data, { now }))
        await onlyImportErrors(() => readRosterSheet(data))
      }),
      { numRuns: 150, seed: 20261129 },
    )
  })

  it('throw only ImportError for random bytes and for damaged xlsx files', async () => {
    const valid = await xlsx([['村', '问题描述', '姓名'], ['卫华村', '垃圾', '李四']])
    const damaged = fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }).map((changes) => {
      const data = Buffer.from(valid)
      for (const [at, byte] of changes) data[at] = byte
      return data
    })
    const bytes = fc.oneof(damaged, fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)))
    await fc.assert(
      fc.asyncProperty(bytes, async (data) => {
        await onlyImportErrors(() => readLedgerSheet(data, { now }))
        await onlyImportErrors(() => readRosterSheet(data))
      }),
      { numRuns: 300, seed: 20261129 },
    )
  })
})
