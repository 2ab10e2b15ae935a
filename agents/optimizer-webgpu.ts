/**
 * The Adam step as one WebGPU program (the webgpu backend's counterpart of the wasm
 * host kernel in optimizer-kernels.ts). The tf-op path dispatches ~4 kernels per
 * variable plus ~15 (about 77 for the twin critics); here the moments and parameters
 * come out of one dispatch as a packed [3n] tensor (new m | new v | new params), sliced
 * back into the variables. Same formulas as Adam.apply's tf-op path:
 *   m' = b1 m + (1 - b1) g s        v' = b2 v + (1 - b2) (g s)^2
 *   p' = p - m' stepScale / (sqrt(v') + epsScale)
 * with g the flat gradient (L2 terms already added) and s the clip scale (a 1-entry
 * tensor, so the norm never leaves the GPU).
 */
import * as tf from '@tensorflow/tfjs';

export const ADAM_WEBGPU_KERNEL = 'RppAdamStepWebgpu';

export interface AdamWebgpuAttrs {
  beta1: number;
  beta2: number;
  stepScale: number;
  epsScale: number;
}

interface WebgpuBackendLike {
  runWebGPUProgram(program: object, inputs: object[], dtype: string, uniforms: { type: string; data: number[] }[]): object;
}

class AdamProgram {
  variableNames = ['G', 'P', 'M', 'V', 'S'];
  uniforms = 'n : i32, b1 : f32, omb1 : f32, b2 : f32, omb2 : f32, stepScale : f32, epsScale : f32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey = 'rpp_adam_step';

  constructor(n: number) {
    this.outputShape = [3 * n];
    this.dispatchLayout = { x: [0] };
    this.dispatch = [Math.ceil((3 * n) / this.workgroupSize[0]), 1, 1];
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let n = uniforms.n;
          let part = index / n;
          let k = index - part * n;
          let g = G[k] * S[0];
          let m = uniforms.b1 * M[k] + uniforms.omb1 * g;
          if (part == 0) {
            setOutputAtIndex(index, m);
            return;
          }
          let v = uniforms.b2 * V[k] + uniforms.omb2 * g * g;
          if (part == 1) {
            setOutputAtIndex(index, v);
            return;
          }
          setOutputAtIndex(index, P[k] - m * uniforms.stepScale / (sqrt(v) + uniforms.epsScale));
        }
      }
    `;
  }
}

let registered = false;

/** Register the kernel on the webgpu backend (once; no-op if the backend package is absent). */
export function registerAdamWebgpu(): void {
  if (registered || tf.getKernel(ADAM_WEBGPU_KERNEL, 'webgpu') !== undefined) return;
  registered = true;
  tf.registerKernel({
    kernelName: ADAM_WEBGPU_KERNEL,
    backendName: 'webgpu',
    kernelFunc: (({ inputs, attrs, backend }: { inputs: Record<string, { shape: number[] }>; attrs: unknown; backend: unknown }) => {
      const a = (attrs as { spec: AdamWebgpuAttrs }).spec;
      const n = inputs.g.shape[0];
      const uniforms = [
        { type: 'int32', data: [n] },
        { type: 'float32', data: [a.beta1] },
        { type: 'float32', data: [1 - a.beta1] },
        { type: 'float32', data: [a.beta2] },
        { type: 'float32', data: [1 - a.beta2] },
        { type: 'float32', data: [a.stepScale] },
        { type: 'float32', data: [a.epsScale] },
      ];
      return (backend as WebgpuBackendLike).runWebGPUProgram(new AdamProgram(n), [inputs.g, inputs.p, inputs.m, inputs.v, inputs.s], 'float32', uniforms);
    }) as unknown as tf.KernelFunc,
  });
}

/** One packed Adam step: [new m | new v | new params], each of the flat length n. */
export function adamStepWebgpu(g: tf.Tensor1D, p: tf.Tensor1D, m: tf.Tensor1D, v: tf.Tensor1D, scale: tf.Tensor, spec: AdamWebgpuAttrs): tf.Tensor1D {
  registerAdamWebgpu();
  return tf.engine().runKernel(ADAM_WEBGPU_KERNEL, { g, p, m, v, s: tf.reshape(scale, [1]) }, { spec } as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}
