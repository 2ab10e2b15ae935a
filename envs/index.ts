/**
 * Public entry `rpp-sac/envs`: Gymnasium-style MuJoCo envs (v5), registry, wrappers,
 * vector env and symmetry specs.
 */
export type { BoxSpace, Env, Info, ResetResult, SignedPermMap, Space, StepResult, SymmetrySpec } from './types.js';
export { Box } from './box.js';
export { loadMujoco, defaultModelPath, wasmHeapBytes } from './mujoco-loader.js';
export { MujocoEnv, type MujocoEnvOptions } from './mujoco-env.js';
export { InvertedPendulumEnv, type InvertedPendulumOptions } from './inverted-pendulum.js';
export { make, envIds, envSpec, type EnvSpec, type MakeOptions } from './registry.js';
export { symmetries, symmetry, applySignedPerm, composeSignedPerm, checkSignedPerm } from './symmetries.js';
export * from './wrappers/index.js';
