// Peak memory of the workload a bench child process runs: the highest tf.memory().numBytes at any
// moment (the engine's own PeakMemory samples once per batch and misses the peak inside a step, when
// the gradient tape holds every activation) and the process's peak resident set.
import * as tf from '@tensorflow/tfjs';

export interface PeakBytes { rssBytes: number; tensorBytes: number }

interface TrackingEngine {
  state: { numBytes: number };
  trackTensor(t: tf.Tensor, backend: unknown): void;
}

/** Watches tensor bytes from now on (one comparison per tensor made); read() gives both peaks. */
export function watchPeakMemory(): { read(): PeakBytes } {
  const engine = tf.engine() as unknown as TrackingEngine;
  const own = engine.trackTensor.bind(engine);
  let peak = engine.state.numBytes;
  engine.trackTensor = (t, backend) => {
    own(t, backend);
    if (engine.state.numBytes > peak) peak = engine.state.numBytes;
  };
  return {
    // maxRSS is in kilobytes: the whole process's peak, so each workload runs in a process of its own.
    read: () => ({ rssBytes: process.resourceUsage().maxRSS * 1024, tensorBytes: peak }),
  };
}
