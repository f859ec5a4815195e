// Adam in one kernel call per variable where the backend has one (wasm: kernels/adam-update.ts),
// instead of tfjs's twelve elementwise ops per variable. On a small head or a fine-tuned network's
// dozens of small weights each op costs more to dispatch than to compute: it was a third of a
// cached head step and ~8 % of a fine-tuning step. The kernel computes exactly tfjs's formula, op by
// op in float32, so the run is bit for bit what tf.train.adam gives; backends without the kernel
// take tfjs's own path.
import * as tf from '@tensorflow/tfjs';

/** Kernel name; inputs { value, m, v, gradient }, attrs AdamUpdateAttrs; outputs [value, m, v]. */
export const ADAM_UPDATE = 'TlAdamUpdate';

export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − β₁ᵗ and 1 − β₂ᵗ as float32, as tfjs computes them from its accumulators. */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
}

/** The parts of tfjs's AdamOptimizer its subclass reads (private in its typings). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999) {
    super(learningRate, beta1, beta2);
  }

  override applyGradients(variableGradients: Gradients): void {
    if (tf.getKernel(ADAM_UPDATE, tf.getBackend()) == null) return super.applyGradients(variableGradients);
    const s = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    tf.tidy(() => {
      const attrs: AdamUpdateAttrs = {
        learningRate: s.learningRate, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon,
        oneMinusAccBeta1: Math.fround(1 - s.accBeta1.dataSync()[0]),
        oneMinusAccBeta2: Math.fround(1 - s.accBeta2.dataSync()[0]),
      };
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        // Moments by position, created on first use, exactly as tfjs keeps them.
        s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient: tf.Tensor | undefined = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        const m = s.accumulatedFirstMoment[i]!.variable;
        const v = s.accumulatedSecondMoment[i]!.variable;
        const [newValue, newM, newV] = tf.engine().runKernel(ADAM_UPDATE, { value, m, v, gradient }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    this.incrementIterations();
  }
}
