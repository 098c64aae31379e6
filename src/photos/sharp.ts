// sharp (libvips), loaded on first use with this process's settings. An assistant that has not
// yet seen a photo or drawn a picture does not pay for it: loading it takes ~0.1 s and ~8 MB of
// a start that should answer within 3 s and idle near a bare bot's memory (test/bench/start.ts).
import type SharpModule from 'sharp'

export type Sharp = typeof SharpModule

/**
 * sharp's process-wide settings, chosen for the 2-core box the assistant runs on, applied when
 * sharp is loaded (every photo and picture gets sharp from here, so no caller has to remember them):
 *   - concurrency 1 (libvips threads per image): parallelism comes from photos, not from
 *     threads inside one photo. Several photos (and the bulletin picture) already run at once on
 *     libuv's 4 threads; more threads per image on 2 cores only adds contention and per-thread
 *     buffers (RSS), and a JPEG decode is serial anyway. It is also sharp's own default on
 *     glibc without jemalloc, to limit fragmentation; set here so it does not depend on the
 *     allocator. Measured in `npm run bench` (test/bench/photos.ts).
 *   - cache off: libvips's operation cache (by default up to 50 MB, 20 files, 100 operations)
 *     pays off when the same input is processed again; every uploaded photo arrives in a buffer
 *     of its own and is decoded once, so nothing could ever hit it: it only held memory.
 */
export const SHARP_SETTINGS = Object.freeze({ concurrency: 1, cache: false })

/** Applies SHARP_SETTINGS to a loaded sharp (idempotent; exported for the benchmark's floor). */
export function configureSharp(sharp: Sharp): void {
  sharp.concurrency(SHARP_SETTINGS.concurrency)
  sharp.cache(SHARP_SETTINGS.cache)
}

let loading: Promise<Sharp> | undefined

/** sharp with SHARP_SETTINGS applied; the first call loads it. */
export function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then(({ default: sharp }) => {
    configureSharp(sharp)
    return sharp
  })
  return loading
}
