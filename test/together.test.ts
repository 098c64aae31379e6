// Statements made together (src/db/together.ts): nothing of a unit of work is left running when it
// fails, and the failure reported is the first made, not the first to arrive.
import { describe, expect, it } from 'vitest'
import { together } from '../src/db/together.ts'

/** `settle`'s value after `ms`, or its failure. */
const after = <T>(ms: number, settle: () => T) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(settle())
      } catch (error) {
        reject(error)
      }
    }, ms),
  )

describe('together', () => {
  it('gives each value in the order the work was made', async () => {
    expect(await together([after(20, () => 'slow'), 2, undefined, after(1, () => 'quick')])).toEqual(['slow', 2, undefined, 'quick'])
  })

  it('throws only once every one has settled, and throws the first failure in the order made', async () => {
    const events: string[] = []
    const first = after(20, () => {
      events.push('first failed')
      throw new Error('first')
    })
    const second = Promise.reject(new Error('second, earlier in time'))
    const third = after(40, () => events.push('third done'))
    const error = await together([first, second, third]).catch((e: Error) => {
      events.push('thrown')
      return e
    })
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toBe('first')
    expect(events).toEqual(['first failed', 'third done', 'thrown'])
  })
})
