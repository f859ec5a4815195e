// One policy for the renderer in both shells (Electron header and browser-mode HTTP header). The
// renderer runs no WebAssembly and no eval. A browser tab that opts in to training on its GPU starts
// the window worker as a Web Worker from this origin (worker-src 'self'); WebGL and WebGPU need no
// CSP source of their own.
export const CSP =
  "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The window worker's own documents (its Web Worker script in browser mode, its hidden page in the
 * desktop app): its script, its connection back to this origin, nothing else — no eval, no
 * WebAssembly (tfjs' webgl, webgpu and cpu backends need neither), no images, frames or styles.
 */
export const WINDOW_WORKER_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
