/** Public API of the equivariance machinery: signed permutations, cyclic groups, reps, solvers and projectors. */
export { SignedPerm, type SignedPermMap } from './signed-perm.js';
export { CyclicGroup, Z, Z2, Z4, groupFromName } from './group.js';
export { Rep, trivial, pseudoscalar, regular, directSum, tensor, multiple, fromMaps, unsignedRep, hiddenRep, equivariantDimension } from './rep.js';
export { equivariantBasis, basisProjectionMatrix, weightAction, MAX_BASIS_SIZE, type EquivariantBasis } from './basis.js';
export { symmetricEigen, type SymmetricEigen } from './jacobi-eigen.js';
export { projectWeightArray, projectBiasArray } from './project-array.js';
export { projector, biasProjector, WeightProjector, BiasProjector, DENSE_BIAS_MAX, SMALL_AXIS, type ProjectorOptions } from './projector.js';
export { AxisPermutation, contiguousRuns, rotationShift, DEFAULT_MAX_RUNS, type Run } from './permute-tensor.js';
