// Choosing the window's tfjs backend: WebGPU where navigator.gpu gives an adapter (and the WebGPU
// backend is bundled), else WebGL, else no GPU training here, with the reason. 'cpu' is only ever
// used when asked for by name (tests stand it in for a GPU). Each choice names the device the way
// the device panel shows it, and can watch for the GPU going away.
import * as tf from '@tensorflow/tfjs';

export type WindowBackend = 'webgpu' | 'webgl' | 'cpu';

export interface ChosenBackend {
  backend: WindowBackend;
  /** "WebGPU · <adapter>", "WebGL · <renderer>". */
  device: string;
  /** The GPU's name alone (the adapter's or the WebGL renderer's), for the device panel. */
  gpuName: string;
  /** Calls `onLost` (once) when the GPU context or device is lost. */
  watch(onLost: (reason: string) => void): void;
}

export class NoWindowGpuError extends Error {}

interface GpuAdapterInfo { vendor?: string; architecture?: string; device?: string; description?: string }
interface GpuAdapter { info?: GpuAdapterInfo; requestAdapterInfo?: () => Promise<GpuAdapterInfo> }
interface NavigatorGpu { gpu?: { requestAdapter(opts?: unknown): Promise<GpuAdapter | null> } }
interface WebGpuBackend { device?: { lost?: Promise<{ reason?: string; message?: string }> } }
interface WebGlBackend { gpgpu?: { gl?: WebGLRenderingContext | WebGL2RenderingContext } }

async function adapterName(adapter: GpuAdapter): Promise<string> {
  const info = adapter.info ?? (await adapter.requestAdapterInfo?.().catch(() => undefined)) ?? {};
  const parts = [info.description, info.vendor, info.architecture, info.device].filter((p): p is string => !!p && p.length > 0);
  return parts.length ? [...new Set(parts)].join(' ') : 'unnamed adapter';
}

async function tryWebGpu(reasons: string[]): Promise<ChosenBackend | null> {
  const gpu = (globalThis.navigator as NavigatorGpu | undefined)?.gpu;
  if (!gpu) { reasons.push('WebGPU: this browser offers no navigator.gpu'); return null; }
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) { reasons.push('WebGPU: navigator.gpu gave no adapter'); return null; }
  if (!tf.findBackendFactory('webgpu')) { reasons.push('WebGPU: the WebGPU backend is not part of this build'); return null; }
  if (!(await tf.setBackend('webgpu').catch(() => false))) { reasons.push('WebGPU: the backend did not start on this adapter'); return null; }
  const name = await adapterName(adapter);
  return {
    backend: 'webgpu', device: `WebGPU · ${name}`, gpuName: name,
    watch(onLost) {
      (tf.backend() as unknown as WebGpuBackend).device?.lost?.then((info) => onLost(`WebGPU device lost${info.message ? `: ${info.message}` : info.reason ? ` (${info.reason})` : ''}`));
    },
  };
}

async function tryWebGl(reasons: string[]): Promise<ChosenBackend | null> {
  if (!tf.findBackendFactory('webgl')) { reasons.push('WebGL: not available here (no canvas or OffscreenCanvas)'); return null; }
  if (!(await tf.setBackend('webgl').catch(() => false))) { reasons.push('WebGL: the browser could not create a WebGL context (GPU blocklisted or disabled)'); return null; }
  const gl = (tf.backend() as unknown as WebGlBackend).gpgpu?.gl;
  const ext = gl?.getExtension('WEBGL_debug_renderer_info');
  const renderer = String((gl && (ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER))) ?? 'unknown renderer');
  return {
    backend: 'webgl', device: `WebGL · ${renderer}`, gpuName: renderer,
    watch(onLost) {
      const canvas = gl?.canvas as (HTMLCanvasElement | OffscreenCanvas | undefined);
      canvas?.addEventListener('webglcontextlost', () => onLost('WebGL context lost'), { once: true } as AddEventListenerOptions);
    },
  };
}

async function tryCpu(): Promise<ChosenBackend> {
  if (!(await tf.setBackend('cpu'))) throw new NoWindowGpuError('The cpu backend did not start.');
  return { backend: 'cpu', device: 'tfjs cpu backend (standing in for a GPU)', gpuName: 'none (cpu backend)', watch() {} };
}

/** The backend `wanted`, or the best the window has; throws NoWindowGpuError saying why there is none. */
export async function chooseWindowBackend(wanted?: WindowBackend): Promise<ChosenBackend> {
  const reasons: string[] = [];
  if (wanted === 'cpu') return tryCpu();
  const order = wanted ? [wanted] : (['webgpu', 'webgl'] as const);
  for (const b of order) {
    const chosen = b === 'webgpu' ? await tryWebGpu(reasons) : await tryWebGl(reasons);
    if (chosen) return chosen;
  }
  throw new NoWindowGpuError(`This window cannot train on a GPU: ${reasons.join('; ')}.`);
}
