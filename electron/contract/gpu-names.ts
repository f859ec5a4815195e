// Telling a software renderer from a GPU by the name Chromium reports (WebGL's unmasked renderer or
// the WebGPU adapter). A software "GPU" is the CPU emulating one, slower than the wasm rung, so
// 'auto' never trains there; asked for by name it still does (tests, and to see the difference).
const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|lavapipe|software|basic render driver/i;

export const isSoftwareGpu = (name: string | null | undefined): boolean => !!name && SOFTWARE_RENDERERS.test(name);
