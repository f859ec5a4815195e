// The error a run ends with when its tensors do not fit the host's memory cap (memory-cap.ts).
export class MemoryCapError extends Error {}

/** Whole megabytes, at least 1, for messages. */
export const mb = (bytes: number) => Math.max(1, Math.round(bytes / 1048576));

/** Thrown after a batch when the tensors in memory pass the cap (the estimate was too low). */
export function memoryCapExceeded(numBytes: number, capBytes: number): MemoryCapError {
  return new MemoryCapError(`the run's tensors reached ${mb(numBytes)} MB of GPU memory, past the cap of ${mb(capBytes)} MB — choose a smaller batch (or a smaller backbone).`);
}
