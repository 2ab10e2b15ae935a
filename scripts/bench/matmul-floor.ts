/**
 * The floor under a SAC update's matmuls: the 37 products of one update (obs 17, act 6,
 * 256x256, batch 256; the shapes our RppMatMul kernel sees, in the update's order) called
 * straight on our kernels, on a bare WebAssembly.Memory with a buffer of its own for every
 * operand and result (so caches see about as many distinct tensors as in the update), with
 * no tfjs, no tape and no allocation. The update's time minus this is what it spends outside
 * its matmuls: the target of a tensor-free update (issue 15).
 */
import { matmulKernels, type MatmulForm } from '../../src/kernels/matmul-kernels.js';

type Call = [form: MatmulForm, M: number, K: number, N: number, opts: 'relu' | 'bias' | 'colSum' | 'none'];

/** The products of one SAC update with these sizes (the 256 -> 1 critic heads are dot-product kernels, not matmuls). */
export function sacUpdateProducts(obs: number, act: number, hidden: number, batch: number): Call[] {
  const [B, H, CIN] = [batch, hidden, obs + act];
  const actorForward: Call[] = [['nn', B, obs, H, 'relu'], ['nn', B, H, H, 'relu'], ['nn', B, H, act, 'bias'], ['nn', B, H, act, 'bias']];
  const criticForward: Call[] = [['nn', B, CIN, H, 'relu'], ['nn', B, H, H, 'relu']];
  const criticBackward: Call[] = [['tn', H, B, H, 'colSum'], ['nt', B, H, H, 'none'], ['tn', CIN, B, H, 'colSum']];
  // The actor loss's critics: dz W^T through the hidden layer, then the action columns only.
  const criticInputGrad: Call[] = [['nt', B, H, H, 'none'], ['nt', B, H, act, 'none']];
  const actorBackward: Call[] = [['tn', H, B, act, 'colSum'], ['tn', H, B, act, 'colSum'], ['nt', B, act, H, 'none'], ['nt', B, act, H, 'none'], ['tn', H, B, H, 'colSum'], ['nt', B, H, H, 'none'], ['tn', obs, B, H, 'colSum']];
  return [
    ...actorForward, ...criticForward, ...criticForward, // 1. Bellman target
    ...criticForward, ...criticForward, ...criticBackward, ...criticBackward, // 2. critics
    ...actorForward, ...criticForward, ...criticForward, ...criticInputGrad, ...criticInputGrad, ...actorBackward, // 3. actor
  ];
}

export interface MatmulFloor {
  calls: number;
  flops: number;
  /** Run the update's products once. */
  run(): void;
}

/** The products of a 256x256 SAC update (obs 17, act 6, batch 256) on their own memory, in one multiply-add flavour. */
export function matmulFloor(fma: boolean, obs = 17, act = 6, hidden = 256, batch = 256): MatmulFloor {
  const products = sacUpdateProducts(obs, act, hidden, batch);
  let top = 64;
  const alloc = (n: number): number => {
    const at = top;
    top += (4 * n + 15) & ~15;
    return at;
  };
  const buffers = products.map(([, M, K, N]) => ({ a: alloc(M * K), b: alloc(K * N), c: alloc(M * N), bias: alloc(N), sums: alloc(N) }));
  const scratchBytes = 1 << 18; // 256 KB: twice the panels of a 256-column product (32 B x 128 k x 32 panels)
  const scratchAt = alloc(scratchBytes / 4);
  const memory = new WebAssembly.Memory({ initial: Math.ceil(top / 65536) + 1 });
  const f = new Float32Array(memory.buffer);
  for (let i = 0; i < top / 4; i++) f[i] = Math.sin(i) * 0.5;
  const kernels = matmulKernels(memory, fma, (bytes) => {
    if (bytes > scratchBytes) throw new Error(`matmulFloor: scratch of ${bytes} bytes asked for, ${scratchBytes} reserved`);
    return scratchAt;
  });
  return {
    calls: products.length,
    flops: products.reduce((s, [, M, K, N]) => s + 2 * M * K * N, 0),
    run(): void {
      products.forEach(([form, M, K, N, o], i) => {
        const p = buffers[i];
        kernels.matmul(form, p.a, p.b, p.c, M, K, N, o === 'relu' ? { bias: p.bias, relu: true } : o === 'bias' ? { bias: p.bias } : o === 'colSum' ? { colSum: p.sums } : {});
      });
    },
  };
}
