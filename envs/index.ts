/**
 * Public entry `rpp-sac/envs`: Gymnasium-style MuJoCo envs (v5), registry, wrappers,
 * vector env and symmetry specs.
 */
export type { BoxSpace, Env, Info, ResetResult, SignedPermMap, Space, StepResult, SymmetrySpec } from './types.js';
export { Box } from './box.js';
export { loadMujoco, defaultModelPath, wasmHeapBytes } from './mujoco-loader.js';
export { MujocoEnv, type MujocoEnvOptions } from './mujoco-env.js';
export { HalfCheetahEnv, type HalfCheetahOptions } from './half-cheetah.js';
export { HopperEnv, type HopperOptions } from './hopper.js';
export { Walker2dEnv, type Walker2dOptions } from './walker2d.js';
export { AntEnv, type AntOptions } from './ant.js';
export { SwimmerEnv, type SwimmerOptions } from './swimmer.js';
export { HumanoidEnv, type HumanoidOptions } from './humanoid.js';
export { InvertedPendulumEnv, type InvertedPendulumOptions } from './inverted-pendulum.js';
export { InvertedDoublePendulumEnv, type InvertedDoublePendulumOptions } from './inverted-double-pendulum.js';
export { ReacherEnv, type ReacherOptions } from './reacher.js';
export { SyncVectorEnv, makeVec, type MakeVecOptions, type VectorStepResult, type VectorResetResult } from './vector-env.js';
export { make, envIds, envSpec, type EnvSpec, type MakeOptions } from './registry.js';
export { symmetries, symmetry, applySignedPerm, composeSignedPerm, checkSignedPerm } from './symmetries.js';
export * from './wrappers/index.js';
