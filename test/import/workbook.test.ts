// The checks on the file as a whole, shared by both readers, and what reading a large file costs.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { readLedgerSheet } from '../../src/import/ledger-sheet.ts'
import { readRosterSheet } from '../../src/import/roster-sheet.ts'
import { IMPORT_LIMITS, ImportError, MAX_UNPACKED_BYTES, declaredUnpackedBytes } from '../../src/import/workbook.ts'
import { excel, sh, xlsx } from './sheets.ts'

const now = sh('2026-11-29 15:00')

async function importError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ImportError)
  return (error as ImportError).message
}

/** The start of an OLE compound file, as Excel writes a password-protected workbook. */
function oleFile(encrypted: boolean): Buffer {
  const data = Buffer.alloc(4096)
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(data)
  // Directory entries name their streams in UTF-16LE; an encrypted package has these two.
  if (encrypted) {
    Buffer.from('EncryptionInfo', 'utf16le').copy(data, 1024)
    Buffer.from('EncryptedPackage', 'utf16le').copy(data, 1152)
  }
  return data
}

/** A ledger of `n` problems, laid out as a clerk's sheet with real dates. */
function bigLedger(n: number): Promise<Buffer> {
  const villages = ['卫华村', '渔业村', '卫明村', '新民村', '永安村', '红旗村']
  const statuses = ['待整改', '整改中', '已完成', '已销号']
  const rows = Array.from({ length: n }, (_, i) => [
    i + 1,
    villages[i % villages.length]!,
    `第${i + 1}处：三组路边垃圾堆放，约两立方米，需清运`,
    excel(`2026-${String((i % 11) + 1).padStart(2, '0')}-05`),
    `2026-12-${String((i % 28) + 1).padStart(2, '0')}`,
    '赵德明',
    statuses[i % statuses.length]!,
  ])
  return xlsx([['编号', '村', '问题描述', '发现日期', '限期', '责任人', '状态'], ...rows])
}

// A full collection before each measurement, so that the baseline is what is retained rather than
// whatever building the test files left behind (this worker runs without --expose-gc).
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Wall time, the highest heap seen above where it started, and the highest RSS of the worker (sampled every 2 ms). */
async function measure<T>(work: () => Promise<T>): Promise<{ ms: number; heapMB: number; rssMB: number; result: T | unknown }> {
  gc()
  const start = process.memoryUsage()
  let heap = start.heapUsed
  let rss = start.rss
  const sampler = setInterval(() => {
    const m = process.memoryUsage()
    heap = Math.max(heap, m.heapUsed)
    rss = Math.max(rss, m.rss)
  }, 2)
  const t0 = performance.now()
  const result = await work().catch((e: unknown) => e)
  const ms = performance.now() - t0
  clearInterval(sampler)
  const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10
  return { ms: Math.round(ms), heapMB: mb(heap - start.heapUsed), rssMB: mb(rss), result }
}

describe('opening an uploaded file', () => {
  it('refuses a file that is not an xlsx, or is corrupt', async () => {
    const valid = await xlsx([['姓名'], ['李四']])
    const cut = valid.subarray(0, Math.floor(valid.length / 2))
    for (const data of [Buffer.from('姓名,村\n李四,卫华村\n'), Buffer.alloc(0), cut, Buffer.concat([valid.subarray(0, 4), Buffer.alloc(2000, 7)])]) {
      expect(await importError(readRosterSheet(data))).toBe('这不是 Excel 表格（.xlsx），或文件已损坏。请用 Excel 或 WPS 打开，另存为 Excel 工作簿（.xlsx）后再发。')
    }
  })

  it('says a password-protected file is password-protected and how to save it without one', async () => {
    const message = await importError(readLedgerSheet(oleFile(true), { now }))
    expect(message).toContain('设了打开密码')
    expect(message).toContain('去掉密码')
    expect(message).toContain('.xlsx')
    // Without the encryption streams it may be an old .xls: the message covers both.
    expect(await importError(readRosterSheet(oleFile(false)))).toBe('这是旧版 Excel（.xls）文件，或设了打开密码。请去掉密码，在 Excel 或 WPS 里“另存为”Excel 工作簿（.xlsx）后再发。')
  })

  it('refuses a 6 MB file before reading it', async () => {
    expect(await importError(readRosterSheet(Buffer.alloc(6 * 1024 * 1024)))).toBe('文件太大（6 MB），最多 5 MB。请删去照片、多余的工作表后再发，或分成几个文件。')
  })

  it('refuses a zip whose parts declare more than it may unpack to, before unpacking', async () => {
    const data = await xlsx([['姓名'], ['李四']])
    expect(declaredUnpackedBytes(data)).toBeLessThan(100_000)
    // Raise the first central-directory entry's uncompressed size (offset 24) to 1 GB.
    const bomb = Buffer.from(data)
    const entry = bomb.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
    bomb.writeUInt32LE(1024 * 1024 * 1024, entry + 24)
    expect(declaredUnpackedBytes(bomb)).toBeGreaterThan(MAX_UNPACKED_BYTES)
    expect(await importError(readRosterSheet(bomb))).toContain('解压后超过 300 MB')
  })

  it('refuses a sheet with no recognisable header in its first 10 rows, naming the columns it expects', async () => {
    const data = await xlsx([...Array.from({ length: 10 }, () => ['说明']), ['姓名', '村']])
    expect(await importError(readRosterSheet(data))).toBe('没有找到表头：人员名单的前 10 行里没有认得的列名。请在表格第一行写上列名，如：姓名、村、职务、网格、手机。')
    expect(await importError(readLedgerSheet(await xlsx([['a', 'b'], [1, 2]]), { now }))).toContain('编号、村、自然屯、网格、类别、问题描述')
  })

  it('reads the first visible sheet', async () => {
    const data = await xlsx([['旧表']], (_, wb) => {
      wb.worksheets[0]!.state = 'hidden'
      const ws = wb.addWorksheet('人员')
      ws.addRow(['姓名'])
      ws.addRow(['李四'])
    })
    expect((await readRosterSheet(data)).rows).toEqual([{ row: 2, name: '李四' }])
  })

  it(`takes ${IMPORT_LIMITS.maxRows} rows and refuses 10,000, saying the limit (time and memory printed)`, async () => {
    const [most, tooMany] = await Promise.all([bigLedger(IMPORT_LIMITS.maxRows), bigLedger(10_000)])

    const atLimit = await measure(() => readLedgerSheet(most, { now }))
    const read = atLimit.result as Awaited<ReturnType<typeof readLedgerSheet>>
    expect(read.rows).toHaveLength(IMPORT_LIMITS.maxRows)
    expect(read.problems).toEqual([])

    const over = await measure(() => readLedgerSheet(tooMany, { now }))
    expect(over.result).toBeInstanceOf(ImportError)
    expect((over.result as Error).message).toBe('整改台账超过 5000 行，一次最多导入 5000 行。请分成几个文件分别导入。')

    const line = (what: string, bytes: number, m: { ms: number; heapMB: number; rssMB: number }) =>
      `${what}: file ${Math.round(bytes / 1024)} KB, ${m.ms} ms, peak heap +${m.heapMB} MB, worker peak RSS ${m.rssMB} MB`
    console.log(`[import] ${line(`${IMPORT_LIMITS.maxRows} ledger rows read`, most.length, atLimit)}`)
    console.log(`[import] ${line('10,000 ledger rows refused', tooMany.length, over)}`)
  })
})
