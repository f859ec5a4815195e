// Reading and decoding one user image with sharp, turning every failure into a short reason a
// student can act on. Formats are recognised by their first bytes, not by file name, and only raster
// formats are accepted: SVG could make the decoder fetch files outside the chosen folder.
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { ioReason } from './folder-walk.js';
import { readRegularFile, UnsafeFileError } from '../files/safe-read.js';

export const MIN_SIDE = 8;
export const MAX_BYTES = 64 * 1024 * 1024;
/** 'cover' scales the short side to the target and centre-crops the rest: objects keep their
 *  proportions and the network never sees padding bars it was not trained on (the usual ImageNet
 *  evaluation recipe: resize, then centre crop). */
export type Fit = 'cover' | 'contain';
export const DEFAULT_FIT: Fit = 'cover';

export class SkipError extends Error {}

/** Transparent pixels are flattened onto white before resizing: it is what a viewer, a browser and
 *  our previews show behind them, and the usual backdrop of cut-out photos (product shots, icons).
 *  Without it the hidden RGB under alpha 0 (often black, or left-over colour) would reach the
 *  network, which was never trained on it. */
export const BACKGROUND = { r: 255, g: 255, b: 255 } as const;

/** The raster format named by a file's magic bytes, or null. */
export function sniffFormat(b: Uint8Array): string | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (b.length >= 6 && ascii(0, 4) === 'GIF8') return 'gif';
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (b.length >= 4 && (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*')) return 'tiff';
  if (b.length >= 12 && ascii(4, 8) === 'ftyp' && /^(avif|avis|heic|heix|mif1|msf1)$/.test(ascii(8, 12))) return 'heif';
  return null;
}

/**
 * Reads a file's bytes: regular files only (a FIFO or device is skipped without blocking), never more
 * than MAX_BYTES + 1 bytes, and never following a symlink at read time (paths were resolved by the walk).
 */
export async function readImageBytes(abs: string): Promise<Buffer> {
  try {
    return await readRegularFile(abs, { maxBytes: MAX_BYTES });
  } catch (e) {
    if (e instanceof UnsafeFileError) throw new SkipError(e.kind === 'symlink' ? 'unreadable (it was replaced by a symlink while reading)' : e.message);
    throw new SkipError(ioReason(e));
  }
}

export interface ImageProbe { width: number; height: number; color: boolean }

const sharpOf = (bytes: Buffer) => sharp(bytes, { failOn: 'error', limitInputPixels: 100_000_000 });

function decodeReason(e: unknown): string {
  const msg = (e as Error)?.message ?? String(e);
  if (/pixel limit/i.test(msg)) return 'too large (more than 100 megapixels)';
  return 'corrupt or truncated image';
}

/** Reads only the header: a known raster format of at least 8×8 (sizes after EXIF rotation). */
export async function checkHeader(bytes: Buffer): Promise<ImageProbe> {
  if (bytes.length === 0) throw new SkipError('not an image (empty file)');
  if (!sniffFormat(bytes)) throw new SkipError('not an image');
  let meta: Metadata;
  try {
    meta = await sharpOf(bytes).metadata();
  } catch (e) {
    throw new SkipError(decodeReason(e));
  }
  const [w, h] = (meta.orientation ?? 1) >= 5 ? [meta.height, meta.width] : [meta.width, meta.height];
  if (!w || !h) throw new SkipError('corrupt or truncated image');
  if (w < MIN_SIDE || h < MIN_SIDE) throw new SkipError(`too small (${w}×${h}, minimum ${MIN_SIDE}×${MIN_SIDE})`);
  const color = !(meta.space === 'b-w' || meta.space === 'grey16' || (meta.channels ?? 3) <= 2);
  return { width: w, height: h, color };
}

/** Checks a file is a whole, decodable raster image of at least 8×8, and decodes it fully. */
export async function probeImage(bytes: Buffer): Promise<ImageProbe> {
  const probe = await checkHeader(bytes);
  try {
    // Decoding every pixel is the only way to catch a truncated file; a tiny output keeps it cheap.
    await sharpOf(bytes).resize(MIN_SIDE, MIN_SIDE, { fit: 'fill' }).raw().toBuffer();
  } catch (e) {
    throw new SkipError(decodeReason(e));
  }
  return probe;
}

/** Decodes straight to [H, W, C] bytes: EXIF-rotated, resized by `fit`, gray (C=1) or RGB (C=3). */
export async function decodeTo(bytes: Buffer, [h, w, c]: [number, number, number], fit: Fit = DEFAULT_FIT): Promise<Uint8Array> {
  if (c !== 1 && c !== 3) throw new Error(`Cannot decode to ${c} channels: the input must have 1 (grayscale) or 3 (RGB) channels.`);
  await checkHeader(bytes); // same rules as the scan: format, size
  let img = sharpOf(bytes).rotate().flatten({ background: BACKGROUND }).resize(w, h, { fit, position: 'centre', background: { r: 0, g: 0, b: 0 } }).removeAlpha();
  img = c === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb');
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new SkipError(decodeReason(e));
  }
  if (out.info.channels !== c || out.info.width !== w || out.info.height !== h) {
    throw new Error(`Decoder returned ${out.info.width}×${out.info.height}×${out.info.channels}, expected ${w}×${h}×${c}.`);
  }
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length);
}

/** A small PNG preview as a data URL (what the network sees: same crop as decoding). */
export async function thumbnailDataUrl(bytes: Buffer, size = 64, fit: Fit = DEFAULT_FIT): Promise<string> {
  const png = await sharpOf(bytes).rotate().flatten({ background: BACKGROUND }).resize(size, size, { fit, background: { r: 0, g: 0, b: 0 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Raw bytes of one [H, W, C] image (C = 1 or 3) as a PNG data URL. */
export async function rawToPngDataUrl(pixels: Uint8Array, [h, w, c]: [number, number, number]): Promise<string> {
  const png = await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, h * w * c), { raw: { width: w, height: h, channels: c as 1 | 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
