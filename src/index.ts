/**
 * rpp-sac: the library core (package root). Environments are in `rpp-sac/envs`,
 * agents in `rpp-sac/agents`. Sweeps, comparisons and the job queue are reached
 * through the `rpp-sac` command line, so importing the core stays light.
 */
export { initBackend, currentBackend, parseBackendChoice, BACKEND_CHOICES, type BackendChoice, type BackendInfo } from './backend.js';
export { useFastMatMulGradient, useBuiltinMatMulGradient, plainMatMul } from './fast-matmul-grad.js';
export { useHostKernels } from './kernels/host-kernel.js';
export { createLogger, addJsonFile, getDefaultLogger, type Logger } from './logging.js';
export { Rng, type RngState } from './random.js';
export * from './run-files.js';
export * from './equivariance/index.js';
export * from './nn/index.js';
export * from './replay/replay-buffer.js';
export * from './pipeline/index.js';
export * as stats from './stats/index.js';
