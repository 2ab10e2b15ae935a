/** Public API of the networks: the Network contract, RPP layers, RPP/EMLP and plain MLPs. */
export type { ApplyOptions, Network, ParamGroups } from './network.js';
export { RppLinear, RPP_SCALE, type RppLinearOptions } from './rpp-linear.js';
export { RppActivation } from './rpp-activation.js';
export { denseLinear, denseRelu, reluScaled, swish, swishScaled } from './dense.js';
export { RppMlp, rppMlp, type RppMlpOptions } from './rpp-mlp.js';
export { Mlp, mlp, type MlpOptions, type Activation, type MlpInit, type DenseParams } from './mlp.js';
export { l2Penalty } from './penalty.js';
export { relativeEquivarianceError, applyToRows } from './equivariance-error.js';
export { lecunNormal, orthogonal, truncatedNormal } from './init.js';
