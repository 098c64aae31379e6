// Photo processing: validation, EXIF, normalised JPEG/thumbnail, near-duplicate hashing, and
// content-addressed storage. No WeChat, no database.
export {
  BAND_COUNT,
  BAND_PROBE_RADIUS,
  bandProbes,
  DEFAULT_LIMITS,
  hammingDistance,
  hashBands,
  PhotoError,
  processImage,
  SIMILAR_MAX_DISTANCE,
  type GpsPosition,
  type HashBands,
  type ImageFormat,
  type ImageLimits,
  type ProcessedImage,
} from './image.ts'
export { PhotoStore, type SaveResult, type StoredPhotoPaths } from './store.ts'
// Pictures the bot sends: before/after side by side, Chinese text in the project's own font.
export { composeBeforeAfter } from './compose.ts'
// The records layer over this core: photos as evidence in the database, and pairing windows.
export { PhotoLibrary, photosAddedText, type ConfirmationKey, type EvidenceTarget, type PhotoKind } from './library.ts'
export { PhotoPairing } from './pairing.ts'
