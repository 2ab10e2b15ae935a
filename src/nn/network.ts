/**
 * The contract every network in rpp-sac satisfies: plain MLPs, RPP MLPs and
 * strictly equivariant (EMLP) MLPs. Agents only see this interface, so SAC,
 * RPP-SAC and EMLP-SAC share one code path and differ by the factory used.
 */
import type * as tf from '@tensorflow/tfjs';

/** Trainable variables split by the prior they carry (typed, not by name suffix). */
export interface ParamGroups {
  /** Equivariant pathway weights/biases (penalised by equivWd). */
  equiv: tf.Variable[];
  /** Residual (unconstrained) pathway weights/biases (penalised by basicWd). */
  basic: tf.Variable[];
  /** Everything else (plain MLP weights, unregularised parameters). */
  other: tf.Variable[];
}

/** Options of Network.apply. */
export interface ApplyOptions {
  /**
   * Compute gradients for this network's own parameters (default true). Pass
   * false when gradients only need to flow through the network to its input, e.g.
   * the critic inside SAC's actor loss: the hand-written backward passes then
   * skip the weight-gradient matmuls and projections (tf.customGrad cannot prune
   * unused input gradients the way tfjs's autodiff does).
   */
  paramGrads?: boolean;
  /**
   * The first this many input columns are constants: nothing upstream needs
   * their gradient (default 0). The layer that reads the input then skips their
   * share of the input-gradient matmul and returns zeros for them. Why: a
   * tf.customGrad backward computes every input's gradient whether or not tfjs
   * uses it; in SAC the critic's input is all constant in the critic loss and
   * only its action columns need a gradient in the actor loss, and the actor's
   * observation never does (~0.4 ms of a 256x256 update on wasm).
   */
  constantInputs?: number;
}

export interface Network {
  readonly inDim: number;
  /** Output width of each head (an actor has two: mean and pre-std; a critic one). */
  readonly outDims: readonly number[];
  /** Forward pass on a [batch, inDim] tensor; one [batch, outDims[k]] tensor per head. */
  apply(x: tf.Tensor2D, opts?: ApplyOptions): tf.Tensor2D[];
  /** All trainable variables, in a stable order (used for optimisers and checkpoints). */
  readonly variables: readonly tf.Variable[];
  paramGroups(): ParamGroups;
  /** equivWd * sum(equiv^2) + basicWd * sum(basic^2) (no 1/2 factor, as in the paper's code). 0 for a plain MLP. */
  penalty(equivWd: number, basicWd: number): tf.Scalar;
  dispose(): void;
}
