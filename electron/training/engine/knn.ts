// k-nearest-neighbour accuracy on embeddings (cosine similarity, 2-fold): how well the frozen
// backbone's features already separate the classes, without training anything.

function normalizeRows(features: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(features.length);
  for (let r = 0; r * dim < features.length; r++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += features[r * dim + j] ** 2;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < dim; j++) out[r * dim + j] = features[r * dim + j] * inv;
  }
  return out;
}

/** Majority vote of the k most similar references; ties go to the class of the nearest one. */
function vote(neighbours: { sim: number; label: number }[], k: number): number {
  const top = neighbours.sort((a, b) => b.sim - a.sim).slice(0, k);
  const counts = new Map<number, number>();
  for (const n of top) counts.set(n.label, (counts.get(n.label) ?? 0) + 1);
  let best = top[0]?.label ?? -1;
  for (const n of top) if ((counts.get(n.label) ?? 0) > (counts.get(best) ?? 0)) best = n.label;
  return best;
}

/** Assigns fold 0/1 alternately within each class, so both folds keep the class balance. */
export function twoFolds(labels: ArrayLike<number>): Uint8Array {
  const seen = new Map<number, number>();
  const folds = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const n = seen.get(labels[i]) ?? 0;
    folds[i] = n % 2;
    seen.set(labels[i], n + 1);
  }
  return folds;
}

/** 2-fold k-NN accuracy: each fold is classified by its neighbours in the other fold. */
export function knnAccuracy(features: Float32Array, dim: number, labels: ArrayLike<number>, k = 5): number {
  const x = normalizeRows(features, dim);
  const folds = twoFolds(labels);
  let correct = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const neighbours: { sim: number; label: number }[] = [];
    for (let j = 0; j < labels.length; j++) {
      if (folds[j] === folds[i]) continue;
      let sim = 0;
      for (let d = 0; d < dim; d++) sim += x[i * dim + d] * x[j * dim + d];
      neighbours.push({ sim, label: labels[j] });
    }
    if (!neighbours.length) continue;
    total++;
    if (vote(neighbours, k) === labels[i]) correct++;
  }
  return total ? correct / total : 0;
}
