import { describe, expect, it } from 'vitest';
import { lastProbeStep, nativeProbeEnv, probeTimeLimit } from './native.js';

const JIT_LINE = 'W gpu_device.cc:1850] TensorFlow was not built with CUDA kernel binaries compatible with compute capability 12.0. CUDA kernels will be jit-compiled from PTX, which could take 30 minutes or longer.';

describe('probeTimeLimit', () => {
  it('gives the long limit once TensorFlow says it compiles kernels from PTX, the short one before', () => {
    const limits = { timeoutMs: 120_000, jitTimeoutMs: 2_700_000 };
    expect(probeTimeLimit('I cpu_feature_guard.cc] oneDNN', limits)).toBe(120_000);
    expect(probeTimeLimit(`I cpu_feature_guard.cc] oneDNN\n${JIT_LINE}\n`, limits)).toBe(2_700_000);
    expect(probeTimeLimit(JIT_LINE, { timeoutMs: 90_000 })).toBe(90_000); // a CPU package has no long limit
  });
});

describe('nativeProbeEnv', () => {
  it("logs device creation and lets CUDA keep compiled kernels, without overriding the admin's cache size", () => {
    const env = nativeProbeEnv({ PATH: '/usr/bin' }, '/x/index.js');
    expect(env).toMatchObject({ PATH: '/usr/bin', TL_PROBE_ENTRY: '/x/index.js', TF_CPP_MIN_LOG_LEVEL: '0', ELECTRON_RUN_AS_NODE: '1', CUDA_CACHE_MAXSIZE: '4294967296' });
    expect(nativeProbeEnv({ CUDA_CACHE_MAXSIZE: '1073741824' }, '/x/index.js').CUDA_CACHE_MAXSIZE).toBe('1073741824');
  });
});

describe('lastProbeStep', () => {
  it('names the last op the probe started', () => {
    expect(lastProbeStep('TL_PROBE_STEP load\nTL_PROBE_STEP matMul\nTL_PROBE_STEP conv2d gradient\n')).toBe('conv2d gradient');
    expect(lastProbeStep('')).toBeNull();
  });
});
