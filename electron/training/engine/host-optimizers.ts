// tfjs's optimizers as plain loops over Float32Arrays, for weights that live outside tensors (the
// head on cached embeddings, host-head-step.ts). Each operation is rounded to float32 where tfjs's op
// rounds it (mul, add, square, div, sqrt are correctly rounded in float32, and a double result rounded
// once per op is the same float), and every constant is the float32 scalar tfjs makes of it, so a
// step is tf.train.adam's / momentum's / rmsprop's own arithmetic.
import type * as tf from '@tensorflow/tfjs';
import { AdamArena, adamUpdateInto } from './adam-step.js';

const r = Math.fround;

/** Updates weights in place from their gradients; `slot` numbers each weight as tfjs's optimizers
 *  number variables (by position), `endStep` after every weight of one step. */
export interface HostOptimizer {
  update(slot: number, value: Float32Array, gradient: Float32Array): void;
  endStep(): void;
}

/** Per-slot state arrays, zero on first use, as tfjs creates its accumulators. Classes rather than
 *  closures: a method is one function for every run in the process, so the optimised step that
 *  calls it stays valid from run to run (a fresh closure per run deoptimised it each time). */
class Slots {
  private readonly state = new Map<number, Float32Array[]>();
  constructor(private readonly count: number) {}
  get(size: number, slot: number): Float32Array[] {
    let s = this.state.get(slot);
    if (!s) this.state.set(slot, (s = Array.from({ length: this.count }, () => new Float32Array(size))));
    return s;
  }
}

class HostAdam implements HostOptimizer {
  private readonly state = new Slots(2);
  /** The SIMD loop's memory, or null: JS. */
  private readonly arena: AdamArena | null;
  // tfjs keeps β₁ᵗ and β₂ᵗ as float32 variables, multiplied by β once per step.
  private accBeta1: number;
  private accBeta2: number;
  constructor(private readonly c: { learningRate: number; beta1: number; beta2: number; epsilon: number }, simd: boolean) {
    this.arena = simd ? new AdamArena() : null;
    this.accBeta1 = r(c.beta1);
    this.accBeta2 = r(c.beta2);
  }
  update(slot: number, value: Float32Array, gradient: Float32Array): void {
    const [m, v] = this.state.get(value.length, slot);
    const attrs = { ...this.c, oneMinusAccBeta1: r(1 - this.accBeta1), oneMinusAccBeta2: r(1 - this.accBeta2) };
    if (this.arena) this.arena.update(value, m, v, gradient, attrs);
    else adamUpdateInto(value, m, v, gradient, attrs, value, m, v);
  }
  endStep(): void {
    this.accBeta1 = r(this.accBeta1 * r(this.c.beta1));
    this.accBeta2 = r(this.accBeta2 * r(this.c.beta2));
  }
}

class HostMomentum implements HostOptimizer {
  private readonly state = new Slots(1);
  private readonly mu: number;
  private readonly step: number;
  constructor(c: { learningRate: number; momentum: number }) {
    this.mu = r(c.momentum);
    this.step = r(-c.learningRate);
  }
  update(slot: number, value: Float32Array, gradient: Float32Array): void {
    const [acc] = this.state.get(value.length, slot);
    const { mu, step } = this;
    for (let i = 0; i < value.length; i++) {
      acc[i] = r(r(mu * acc[i]) + gradient[i]);
      value[i] = r(r(step * acc[i]) + value[i]);
    }
  }
  endStep(): void {}
}

class HostRmsprop implements HostOptimizer {
  private readonly state = new Slots(2);
  private readonly decay: number;
  private readonly rest: number;
  private readonly mu: number;
  private readonly lr: number;
  private readonly eps: number;
  constructor(c: { learningRate: number; decay: number; momentum: number; epsilon: number }) {
    this.decay = r(c.decay);
    this.rest = r(1 - c.decay);
    this.mu = r(c.momentum);
    this.lr = r(c.learningRate);
    this.eps = r(c.epsilon);
  }
  update(slot: number, value: Float32Array, gradient: Float32Array): void {
    const [meanSquare, moments] = this.state.get(value.length, slot);
    const { decay, rest, mu, lr, eps } = this;
    for (let i = 0; i < value.length; i++) {
      const g = gradient[i];
      meanSquare[i] = r(r(meanSquare[i] * decay) + r(r(g * g) * rest));
      moments[i] = r(r(moments[i] * mu) + r(r(g * lr) / r(Math.sqrt(r(meanSquare[i] + eps)))));
      value[i] = r(value[i] - moments[i]);
    }
  }
  endStep(): void {}
}

/** The host version of a fresh tfjs optimizer, or null where there is none (a variant these loops
 *  do not compute, or one that has already stepped and holds state of its own). `simd`: Adam runs
 *  its WebAssembly loop (adam-step.ts), bit for bit the JS; only where compiling WebAssembly is
 *  allowed (the worker process; a window's CSP refuses it) and the weights are many enough to pay. */
export function hostOptimizer(optimizer: tf.Optimizer, { simd = false }: { simd?: boolean } = {}): HostOptimizer | null {
  if (optimizer.iterations > 0) return null;
  const c = optimizer.getConfig() as Record<string, number | boolean>;
  const num = (k: string) => (typeof c[k] === 'number' ? (c[k] as number) : NaN);
  const learningRate = num('learningRate');
  switch (optimizer.getClassName()) {
    case 'Adam': return new HostAdam({ learningRate, beta1: num('beta1'), beta2: num('beta2'), epsilon: num('epsilon') }, simd);
    case 'Momentum': return c.useNesterov ? null : new HostMomentum({ learningRate, momentum: num('momentum') });
    case 'RMSProp': return c.centered ? null : new HostRmsprop({ learningRate, decay: num('decay'), momentum: num('momentum'), epsilon: num('epsilon') });
    default: return null;
  }
}
