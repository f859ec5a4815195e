// The one input a backbone accepts: a fixed-size grayscale or RGB image.

/** The model's per-image input [H, W, C] from its input shape [batch, H, W, C]. */
export function fixedImageShape(shape: (number | null)[]): [number, number, number] {
  if (shape.length !== 4) throw new Error(`its input has shape [${shape.map(String).join(', ')}]; an image model needs [batch, height, width, channels]`);
  const [, h, w, c] = shape;
  if (h == null || w == null || c == null) throw new Error(`its input size is not fixed ([${shape.map(String).join(', ')}]); height, width and channels must be numbers`);
  if (c !== 1 && c !== 3) throw new Error(`its input has ${c} channels; only 1 (grayscale) or 3 (RGB) are supported`);
  return [h, w, c];
}
