// One policy for the renderer in both shells (Electron header and browser-mode HTTP header). The
// renderer runs no WebAssembly and no eval — training lives in the worker process.
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
