// A helper thread as the embedding pass sees it (apart, so fine-tuning's shard threads can turn into one).
export interface EmbedLink {
  /** Features of one preprocessed batch [n, h, w, c] → [n × featureSize]. */
  embed(input: Float32Array, shape: number[]): Promise<Float32Array>;
  close(): void;
}
