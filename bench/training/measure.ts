// Wall and process-CPU time of a piece of work. On shared machines wall time mostly measures the
// neighbours; Node's wasm backend is single-threaded, so its CPU time is its compute time.
export interface Timing { wallS: number; cpuS: number }

export async function measure(work: () => unknown): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const cpu = process.cpuUsage(cpu0);
  return { wallS: (performance.now() - t0) / 1000, cpuS: (cpu.user + cpu.system) / 1e6 };
}
