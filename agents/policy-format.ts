/**
 * The exported policy format (`rpp-sac-policy`, version 1), shared by the exporter
 * (Node) and the loader (browser or Node, only @tensorflow/tfjs needed).
 *
 * A directory with two files:
 *   policy.json   this PolicyManifest
 *   weights.bin   float32 little-endian values; every tensor is {offset, length} in floats
 *
 * Every network (plain MLP, RPP MLP, EMLP) is stored as the same plain computation:
 * for each trunk layer h <- act(h @ W + b) * scale, then mean = h @ Wm + bm and the
 * std head likewise. For RPP/EMLP layers W and b are the effective weights
 * P(w_equiv) + w_basic and P_b(b_equiv) + b_basic, and scale = 1 + w_basic of the
 * activation, so the loader needs no equivariance code.
 * Deterministic action (env units) = low + (tanh(mean) + 1) * (high - low) / 2.
 */
export const POLICY_FORMAT = 'rpp-sac-policy';
export const POLICY_VERSION = 1;

export interface TensorRef {
  offset: number;
  length: number;
  shape: number[];
}

/** 'mixed': tanh where tanhMask[i] = 1, swish elsewhere. */
export type PolicyActivation = 'relu' | 'swish' | 'tanh' | 'mixed';

export interface PolicyLayer {
  w: TensorRef;
  b: TensorRef;
  activation: PolicyActivation;
  /** Per-channel output scale (1 + w_basic of an RPP activation), or null. */
  scale: TensorRef | null;
  tanhMask: number[] | null;
}

export interface PolicyHead {
  w: TensorRef;
  b: TensorRef;
}

export interface PolicyManifest {
  format: typeof POLICY_FORMAT;
  version: number;
  envId: string;
  agentKind: string;
  obsDim: number;
  /**
   * The network reads obs[0:obsUsed]. Equal to obsDim in every policy exported now; Ant
   * `paper` (Z4) policies exported before its map covered the contact forces have 27, and
   * still load.
   */
  obsUsed: number;
  actDim: number;
  actionLow: number[];
  actionHigh: number[];
  trunk: PolicyLayer[];
  mean: PolicyHead;
  /** The std head and its parameterisation, for stochastic use. */
  std: PolicyHead & { param: 'log-std' | 'softplus'; logStdMin: number; logStdMax: number };
  weightsFile: string;
  /** Number of float32 values in weightsFile. */
  weightsLength: number;
}
