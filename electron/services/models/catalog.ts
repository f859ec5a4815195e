// The catalog of ImageNet backbones that can be downloaded on demand: the official TensorFlow.js
// layers versions of MobileNet v1 at 224 px. Facts shown before download (parameters per block,
// size) are computed from the architecture, so the Train form can plan without the weights.
import type { BackboneInfo } from '../../contract/index.js';

export interface CatalogEntry {
  id: string;
  name: string;
  /** Folder name under the base URL: <base>/<folder>/model.json */
  folder: string;
  description: string;
  license: string;
  card: string;
  preprocess: 'unit' | 'symmetric' | 'bytes';
  /** Facts for the list before the model is downloaded. */
  planned: Pick<BackboneInfo, 'inputShape' | 'totalParams' | 'blockParams' | 'headParamsPerClass' | 'sizeBytes' | 'format' | 'canFineTune'>;
}

export const DEFAULT_CATALOG_BASE_URL = 'https://storage.googleapis.com/tfjs-models/tfjs';

/** The base URL, overridable with TL_CATALOG_BASE_URL (tests serve models from a loopback server). */
export function catalogBaseUrl(env: Record<string, string | undefined> = process.env): string {
  return (env.TL_CATALOG_BASE_URL?.trim() || DEFAULT_CATALOG_BASE_URL).replace(/\/+$/, '');
}

export const modelJsonUrl = (entry: CatalogEntry, env?: Record<string, string | undefined>) => `${catalogBaseUrl(env)}/${entry.folder}/model.json`;

/**
 * The URL of a weight file named in a downloaded model.json. It must resolve beside model.json:
 * same origin, same directory, a plain file name. Anything else (`https:host:port`, `//host/x`,
 * `../x`, `%2e%2e`) would make the app fetch from wherever the file says, so it is refused.
 */
export function weightUrl(file: string, modelJson: string): string {
  const base = new URL(modelJson);
  const folder = new URL('.', base);
  let url: URL | null = null;
  try {
    url = new URL(file, base);
  } catch {
    // not a URL at all: refused below
  }
  const name = url?.pathname.slice(folder.pathname.length) ?? '';
  const beside = url != null && url.origin === base.origin && url.pathname.startsWith(folder.pathname)
    && name !== '' && !/[/\\]|%2f|%5c/i.test(name) && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if (!beside) {
    throw new Error(`model.json names the weight file "${file}", which resolves to ${url?.href ?? 'no valid URL'}, outside ${folder.href}; weight files must sit beside model.json on the same server`);
  }
  return url!.href;
}

const MN_FILTERS = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024];

/**
 * MobileNet v1 parameter counts for width multiplier `alpha`, as Keras builds it (no conv biases).
 * blockParams counts trainable weights (BatchNorm gamma/beta, not its moving statistics);
 * totalParams counts all weights of the base, moving statistics included, like tfjs countParams().
 */
export function mobileNetV1Params(alpha: number): { blockParams: number[]; totalParams: number; features: number; headParams: number } {
  const c = (n: number) => Math.round(n * alpha);
  const stem = c(32);
  const blockParams = [27 * stem + 2 * stem];
  let total = 27 * stem + 4 * stem;
  let cin = stem;
  for (const f of MN_FILTERS) {
    const cout = c(f);
    blockParams.push(9 * cin + 2 * cin + cin * cout + 2 * cout);
    total += 9 * cin + 4 * cin + cin * cout + 4 * cout;
    cin = cout;
  }
  return { blockParams, totalParams: total, features: cin, headParams: cin * 1000 + 1000 };
}

const MOBILENET_CARD = (alpha: string) => `# MobileNet v1 ${alpha} (224 px, ImageNet)

A compact convolutional network for phones and browsers (Howard et al., 2017, "MobileNets:
Efficient Convolutional Neural Networks for Mobile Vision Applications"), trained by Google on
ImageNet (1.28 million photos, 1,000 classes). Width multiplier ${alpha}: every layer has ${alpha} × the
channels of the full model.

## How Transfer Lab uses it
- Downloaded on request from the official TensorFlow.js model storage
  (storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_${alpha}_224), the layers version.
- The base is cut at the last pointwise convolution's ReLU (\`conv_pw_13_relu\`) and followed by
  global average pooling; the 1,000-class ImageNet classifier is dropped.
- Blocks for fine-tuning: the stem convolution and 13 depthwise-separable blocks.
- Input: 224×224 RGB; pixels are scaled from [0, 1] to [-1, 1] as in training. Grayscale images
  are repeated across the three channels and resized by the training engine.

## Integrity
Upstream publishes no checksums for these files. The app checks that every weight file has exactly
the size its manifest implies, records a SHA-256 of each file when it is downloaded, and verifies it
on every load.

## License
Apache License 2.0 (TensorFlow models, Google). ImageNet images have their own terms; only the
trained weights are downloaded.
`;

function mobilenet(alpha: string): CatalogEntry {
  const p = mobileNetV1Params(Number(alpha));
  return {
    id: `mobilenet-v1-${alpha}-224`,
    name: `MobileNet v1 ${alpha} (ImageNet, 224 px)`,
    folder: `mobilenet_v1_${alpha}_224`,
    description: `ImageNet-pretrained MobileNet v1, width ${alpha}, 224×224 RGB input, ${p.features} features. Downloaded on demand.`,
    license: 'Apache-2.0 (Google, TensorFlow.js models)',
    card: MOBILENET_CARD(alpha),
    preprocess: 'symmetric',
    planned: {
      format: 'layers', canFineTune: true, inputShape: [224, 224, 3],
      totalParams: p.totalParams, blockParams: p.blockParams, headParamsPerClass: p.features + 1,
      // float32 weights of the whole downloaded model (base + ImageNet classifier)
      sizeBytes: (p.totalParams + p.headParams) * 4,
    },
  };
}

export const CATALOG: readonly CatalogEntry[] = [mobilenet('0.25'), mobilenet('0.50'), mobilenet('1.0')];
