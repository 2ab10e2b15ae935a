/**
 * Our matmul kernels (src/kernels/matmul-kernels.ts, run as RppMatMul by
 * own-matmul.ts) against the XNNPACK path (tf ops on the wasm backend, explicit
 * transposes) and the cpu backend, on every shape class a SAC update uses (batch
 * 256; 17, 23 and 376 inputs; 256 hidden; 1, 6 and 34 outputs; a batch of one; an
 * odd small shape that exercises every row, column and k tail), in the three forms:
 * forward x W + b with and without relu, dz W^T, and x^T dz with the bias
 * gradient sum(dz). Each flavour is checked: mul + add always, relaxed_madd where
 * the runtime validates it (on Node 20 that needs --experimental-wasm-relaxed-simd:
 * a child process runs this file's fma half with the flag when it can).
 *
 * Tolerance: f32 sums of up to 376 products in another order (and XNNPACK's own
 * blocking): per entry |ours - ref| <= 1e-5 * sum_k |a_ik b_kj|, and per tensor
 * ||ours - ref|| / ||ref|| <= 1e-5.
 * Then the layers: an MLP's outputs and all gradients (tf.grads through the
 * hand-written backward passes) agree with the XNNPACK path, repeat bitwise, and
 * leave no tensors behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { matmulKernels, relaxedSimdAvailable, type MatmulOptions } from '../src/kernels/matmul-kernels.js';
import { hasOwnMatmul, matmulPath, ownDense, ownMatMulNT, ownMatMulTN, ownWeightGrads, useOwnMatmul, type OwnMatmulMode } from '../src/kernels/own-matmul.js';
import { Mlp } from '../src/nn/mlp.js';
import { relErr, uniform } from './numeric-helpers.js';

const TOL = 1e-5;
const FMA_ONLY = process.env.RPP_SAC_TEST_FMA_ONLY === '1';
const FMA_HALF_ONLY = 'this run is the fma child process (RPP_SAC_TEST_FMA_ONLY=1): the parent test process runs the mul + add half';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

after(async () => {
  useOwnMatmul('auto');
  await tf.setBackend('wasm');
});

/** A dense layer's shapes: batch, in, out. */
type Layer = [batch: number, nIn: number, nOut: number, label: string];
const LAYERS: Layer[] = [
  [256, 17, 256, 'first layer, 17 inputs (Walker2d actor)'],
  [256, 23, 256, 'first layer, 23 inputs (Walker2d critic)'],
  [256, 376, 256, 'first layer, 376 inputs (Humanoid; k in blocks of 128)'],
  [256, 256, 256, 'hidden 256 -> 256'],
  [256, 256, 6, 'head 256 -> 6'],
  [256, 256, 34, 'head 256 -> 34 (Humanoid actor, both heads)'],
  [256, 256, 1, 'head 256 -> 1 (critic)'],
  [1, 17, 256, 'batch of one (acting)'],
  [7, 13, 5, 'odd 7 x 13 x 5 (every tail)'],
];

interface Case {
  x: Float32Array; // [B, in]
  w: Float32Array; // [in, out]
  b: Float32Array; // [out]
  dz: Float32Array; // [B, out]
}

function makeCase([B, nIn, nOut]: Layer, seed: number): Case {
  return { x: uniform(B * nIn, seed), w: uniform(nIn * nOut, seed + 1), b: uniform(nOut, seed + 2), dz: uniform(B * nOut, seed + 3) };
}

/** Per-entry scale sum_k |a_ik b_kj| for C = A B (A [m, k], B [k, n] given by accessors). */
function absScale(m: number, k: number, n: number, a: (i: number, l: number) => number, b: (l: number, j: number) => number, add: (j: number) => number = () => 0): Float64Array {
  const s = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let t = Math.abs(add(j));
    for (let l = 0; l < k; l++) t += Math.abs(a(i, l) * b(l, j));
    s[i * n + j] = t;
  }
  return s;
}

function assertClose(got: Float32Array, want: Float32Array, scale: Float64Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const e = Math.abs(got[i] - want[i]) / Math.max(scale[i], 1e-30);
    if (!(e <= worst)) worst = e; // NaN-safe: a NaN makes worst NaN and fails below
  }
  assert.ok(worst <= TOL, `${what}: worst per-entry error ${worst} (relative to sum |a b|) > ${TOL}`);
  const r = relErr(got, want);
  assert.ok(r <= TOL, `${what}: ||got - want|| / ||want|| = ${r} > ${TOL}`);
}

interface Results {
  fwd: Float32Array;
  fwdRelu: Float32Array;
  dx: Float32Array;
  dW: Float32Array;
  db: Float32Array;
  dWAlone: Float32Array;
}

/** Our kernels on the wasm backend. */
function ours([B, nIn, nOut]: Layer, c: Case): Results {
  return tf.tidy(() => {
    const x = tf.tensor2d(c.x, [B, nIn]);
    const w = tf.tensor2d(c.w, [nIn, nOut]);
    const b = tf.tensor1d(c.b);
    const dz = tf.tensor2d(c.dz, [B, nOut]);
    const { dW, db } = ownWeightGrads(x, dz);
    return {
      fwd: ownDense(x, w, b, false).dataSync() as Float32Array,
      fwdRelu: ownDense(x, w, b, true).dataSync() as Float32Array,
      dx: ownMatMulNT(dz, w).dataSync() as Float32Array,
      dW: dW.dataSync() as Float32Array,
      db: db.dataSync() as Float32Array,
      dWAlone: ownMatMulTN(x, dz).dataSync() as Float32Array,
    };
  });
}

/** The tf-op path (XNNPACK on wasm), explicit transposes. */
function reference([B, nIn, nOut]: Layer, c: Case): Results {
  return tf.tidy(() => {
    const x = tf.tensor2d(c.x, [B, nIn]);
    const w = tf.tensor2d(c.w, [nIn, nOut]);
    const b = tf.tensor1d(c.b);
    const dz = tf.tensor2d(c.dz, [B, nOut]);
    const z = tf.add(tf.matMul(x, w), b);
    const dW = tf.matMul(tf.transpose(x), dz).dataSync() as Float32Array;
    return {
      fwd: z.dataSync() as Float32Array,
      fwdRelu: tf.relu(z).dataSync() as Float32Array,
      dx: tf.matMul(dz, tf.transpose(w)).dataSync() as Float32Array,
      dW,
      db: tf.sum(dz, 0).dataSync() as Float32Array,
      dWAlone: dW,
    };
  });
}

function scales([B, nIn, nOut]: Layer, c: Case): Record<keyof Results, Float64Array> {
  const fwd = absScale(B, nIn, nOut, (i, l) => c.x[i * nIn + l], (l, j) => c.w[l * nOut + j], (j) => c.b[j]);
  const dW = absScale(nIn, B, nOut, (i, l) => c.x[l * nIn + i], (l, j) => c.dz[l * nOut + j]);
  return {
    fwd,
    fwdRelu: fwd,
    dx: absScale(B, nOut, nIn, (i, l) => c.dz[i * nOut + l], (l, j) => c.w[j * nOut + l]),
    dW,
    db: absScale(1, B, nOut, () => 1, (l, j) => c.dz[l * nOut + j]),
    dWAlone: dW,
  };
}

const fmaOk = relaxedSimdAvailable();
const flavours: Array<{ mode: OwnMatmulMode; skip: string | false }> = [
  { mode: 'mul-add', skip: FMA_ONLY ? 'this run checks the fma flavour only' : false },
  { mode: 'fma', skip: fmaOk ? false : `this runtime (Node ${process.versions.node}) does not validate relaxed SIMD; see the child-process case below` },
];

/**
 * Why a bare-memory case of one flavour does not run in this process: the relaxed_madd
 * half where relaxed SIMD does not validate (the child-process case below runs it with
 * --experimental-wasm-relaxed-simd and checks that none skips there), the mul + add half
 * in that child.
 */
const NO_RELAXED_SIMD = 'relaxed SIMD does not validate here; the fma child process below runs this case';
function bareSkip(fma: boolean): string | false {
  if (fma && !fmaOk) return NO_RELAXED_SIMD;
  return FMA_ONLY && !fma ? FMA_HALF_ONLY : false;
}

for (const { mode, skip } of flavours) {
  describe(`own matmul kernels, ${mode}`, { skip }, () => {
    before(async () => {
      await tf.setBackend('wasm');
      useOwnMatmul(mode);
    });

    it('reports the flavour it runs', () => {
      const p = matmulPath();
      assert.equal(p.path, 'own');
      assert.equal(p.madd, mode === 'fma' ? 'relaxed_madd' : 'mul+add');
    });

    for (const layer of LAYERS) {
      it(`${layer[3]}: nn (+bias, +-relu), nt, tn (+column sums) agree with XNNPACK and the cpu backend (<= ${TOL})`, async () => {
        const c = makeCase(layer, layer[1] * 7 + layer[2]);
        const before = tf.memory().numTensors;
        const got = ours(layer, c);
        assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
        const xnn = reference(layer, c);
        await tf.setBackend('cpu');
        const cpu = reference(layer, c);
        await tf.setBackend('wasm');
        const sc = scales(layer, c);
        for (const key of Object.keys(got) as (keyof Results)[]) {
          assertClose(got[key], xnn[key], sc[key], `${key} vs XNNPACK`);
          assertClose(got[key], cpu[key], sc[key], `${key} vs cpu`);
        }
      });
    }

    it('an MLP (17 -> 256 -> 256 -> [6, 6], relu): outputs and every gradient agree with the XNNPACK path and repeat bitwise', () => {
      const net = new Mlp({ inDim: 17, outDims: [6, 6], hidden: [256, 256], seed: 3 });
      const x = tf.tensor2d(uniform(256 * 17, 11), [256, 17]);
      const r = [tf.tensor2d(uniform(256 * 6, 12), [256, 6]), tf.tensor2d(uniform(256 * 6, 13), [256, 6])];
      const run = (m: OwnMatmulMode, paramGrads: boolean): Float32Array[] => {
        useOwnMatmul(m);
        return tf.tidy(() => {
          const loss = (xi: tf.Tensor): tf.Scalar => {
            const outs = net.apply(xi as tf.Tensor2D, { paramGrads });
            return tf.addN(outs.map((o, i) => tf.sum(tf.mul(o, r[i])))) as tf.Scalar;
          };
          const dx = tf.grad(loss)(x);
          const params = paramGrads ? tf.variableGrads(() => loss(x), [...net.variables]) : null;
          const value = params?.value ?? loss(x);
          return [value, dx, ...net.variables.filter(() => paramGrads).map((v) => params!.grads[v.name])].map((t) => t.dataSync() as Float32Array);
        });
      };
      try {
        for (const paramGrads of [true, false]) {
          // The XNNPACK path caches each weight's transpose (TransposedWeight) on its first backward pass.
          run('off', paramGrads);
          const before = tf.memory().numTensors;
          const a = run(mode, paramGrads);
          const again = run(mode, paramGrads);
          const ref = run('off', paramGrads);
          assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
          assert.equal(a.length, paramGrads ? 2 + net.variables.length : 2);
          a.forEach((t, i) => {
            assert.deepEqual(t, again[i], `tensor ${i} repeats bitwise`);
            const e = relErr(t, ref[i]);
            assert.ok(e <= TOL, `paramGrads ${paramGrads}, tensor ${i} (0 loss, 1 dx, then variables): rel err ${e} vs XNNPACK`);
          });
        }
      } finally {
        useOwnMatmul(mode);
        net.dispose();
        x.dispose();
        r.forEach((t) => t.dispose());
      }
    });
  });
}

describe('other backends keep their own matMul', { skip: FMA_ONLY ? FMA_HALF_ONLY : false }, () => {
  it('on cpu: no RppMatMul, path "backend", and an MLP gives the wasm outputs (<= 1e-5)', async () => {
    const net = new Mlp({ inDim: 23, outDims: [1], hidden: [64, 64], seed: 4 });
    const x = uniform(32 * 23, 21);
    try {
      await tf.setBackend('wasm');
      useOwnMatmul('auto');
      const onWasm = tf.tidy(() => net.apply(tf.tensor2d(x, [32, 23]))[0].dataSync() as Float32Array);
      await tf.setBackend('cpu');
      assert.equal(hasOwnMatmul(), false);
      assert.deepEqual(matmulPath(), { path: 'backend' });
      assert.equal(tf.getKernel('RppMatMul', 'cpu'), undefined);
      const onCpu = tf.tidy(() => net.apply(tf.tensor2d(x, [32, 23]))[0].dataSync() as Float32Array);
      assert.ok(relErr(onWasm, onCpu) <= TOL, `rel err ${relErr(onWasm, onCpu)}`);
    } finally {
      await tf.setBackend('wasm');
      net.dispose();
    }
  });
});

/**
 * The kernels alone on a memory of their own, against float64 sums: column tails
 * stored as partial vectors (their whole-vector reads past B, the bias and C must
 * stay inside memory: with C, the sums, the bias and B packed against the end of
 * memory the kernels take the lane-by-lane tails instead), nn without a bias, and nt
 * with few k both on B transposed into scratch and without scratch.
 */
describe('matmul kernels on a bare WebAssembly.Memory', () => {
  // [256, 6, 256], [256, 376, 34] and [128, 130, 20] run on packed panels when given scratch (at least 128 rows, 8 columns).
  const shapes: Array<[number, number, number]> = [[256, 256, 6], [256, 6, 256], [256, 376, 34], [128, 130, 20], [5, 7, 13], [9, 5, 7], [6, 2, 5], [7, 300, 11], [1, 17, 3]];
  for (const fma of [false, true]) {
    it(`${fma ? 'relaxed_madd' : 'mul + add'}: every form, shape and placement within 1e-5 of float64`, { skip: bareSkip(fma) }, () => {
      const memory = new WebAssembly.Memory({ initial: 64 });
      const bytes = memory.buffer.byteLength;
      for (const withScratch of [true, false]) for (const atEnd of [false, true]) {
        const k = matmulKernels(memory, fma, withScratch ? () => 3 << 20 : undefined);
        let seed = 5;
        for (const [M, K, N] of shapes) for (const form of ['nn', 'nt', 'tn'] as const) for (const withBias of form === 'nn' ? [true, false] : [false]) {
          const f = new Float32Array(memory.buffer);
          const c = atEnd ? bytes - 4 * M * N : 2 << 20;
          const cs = atEnd ? c - 4 * N : 2600 << 10;
          const bias = atEnd ? cs - 4 * N : 2700 << 10;
          const b = atEnd ? bias - 4 * K * N : 1 << 20;
          f.set(uniform(M * K, seed++), 0);
          f.set(uniform(K * N, seed++), b >> 2);
          f.set(uniform(N, seed++), bias >> 2);
          f.fill(NaN, c >> 2, (c >> 2) + M * N);
          f.fill(NaN, cs >> 2, (cs >> 2) + N);
          const A = (i: number, l: number): number => (form === 'tn' ? f[l * M + i] : f[i * K + l]);
          const Bv = (l: number, j: number): number => (form === 'nt' ? f[(b >> 2) + j * K + l] : f[(b >> 2) + l * N + j]);
          for (const relu of form === 'nn' ? [false, true] : [false]) {
            k.matmul(form, 0, b, c, M, K, N, { ...(withBias ? { bias } : {}), relu, colSum: form === 'tn' ? cs : 0 });
            const what = `${form} ${M}x${K}x${N} bias ${withBias} relu ${relu} scratch ${withScratch} atEnd ${atEnd}`;
            for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
              let sum = withBias ? f[(bias >> 2) + j] : 0;
              let abs = Math.abs(sum);
              for (let l = 0; l < K; l++) {
                sum += A(i, l) * Bv(l, j);
                abs += Math.abs(A(i, l) * Bv(l, j));
              }
              if (relu) sum = Math.max(sum, 0);
              const e = Math.abs(f[(c >> 2) + i * N + j] - sum) / Math.max(abs, 1e-30);
              assert.ok(e <= TOL, `${what} [${i}, ${j}]: ${f[(c >> 2) + i * N + j]} vs ${sum}`);
            }
            if (form === 'tn') {
              for (let j = 0; j < N; j++) {
                let sum = 0;
                let abs = 0;
                for (let l = 0; l < K; l++) {
                  sum += Bv(l, j);
                  abs += Math.abs(Bv(l, j));
                }
                assert.ok(Math.abs(f[(cs >> 2) + j] - sum) <= TOL * abs, `${what} column sum ${j}`);
              }
            }
          }
        }
      }
    });
  }
});

/**
 * Packing B's panels (given scratch, at least 128 rows) moves B, not the sums: nn and tn
 * keep each entry's order over k, so packed and in-place results are the same bits.
 * Scratch sits past everything else, and is poisoned first so stale panels would show.
 */
describe('packed panels give the same bits as reading B in place', () => {
  for (const fma of [false, true]) {
    it(`${fma ? 'relaxed_madd' : 'mul + add'}: nn with bias and relu, tn with column sums, across k blocks and column tails`, { skip: bareSkip(fma) }, () => {
      const memory = new WebAssembly.Memory({ initial: 96 });
      const f = new Float32Array(memory.buffer);
      const scratchAt = 5 << 20;
      let calls = 0;
      const packed = matmulKernels(memory, fma, () => {
        calls++;
        return scratchAt;
      });
      const inPlace = matmulKernels(memory, fma);
      let seed = 70;
      for (const [M, K, N] of [[256, 17, 256], [256, 376, 34], [128, 130, 20], [200, 256, 8]] as Array<[number, number, number]>) {
        for (const form of ['nn', 'tn'] as const) {
          const [b, bias, c1, c2, cs1, cs2] = [1 << 20, 2 << 20, 3 << 20, 4 << 20, (2 << 20) + 8192, (2 << 20) + 16384];
          f.set(uniform(M * K, seed++), 0);
          f.set(uniform(K * N, seed++), b >> 2);
          f.set(uniform(N, seed++), bias >> 2);
          f.fill(NaN, scratchAt >> 2, (scratchAt >> 2) + 8 * K * N);
          const opts = (cs: number): MatmulOptions => (form === 'nn' ? { bias, relu: true } : { colSum: cs });
          const before = calls;
          packed.matmul(form, 0, b, c1, M, K, N, opts(cs1));
          assert.ok(calls > before, `${form} ${M}x${K}x${N}: packed path asked for no scratch`);
          inPlace.matmul(form, 0, b, c2, M, K, N, opts(cs2));
          const got = f.subarray(c1 >> 2, (c1 >> 2) + M * N);
          const want = f.subarray(c2 >> 2, (c2 >> 2) + M * N);
          assert.ok(want.every(Number.isFinite), `${form} ${M}x${K}x${N}: in-place result not finite`);
          assert.deepEqual(Array.from(got), Array.from(want), `${form} ${M}x${K}x${N}: packed and in-place bits differ`);
          if (form === 'tn') assert.deepEqual(Array.from(f.subarray(cs1 >> 2, (cs1 >> 2) + N)), Array.from(f.subarray(cs2 >> 2, (cs2 >> 2) + N)), `tn ${M}x${K}x${N}: column sums differ`);
        }
      }
    });
  }
});

/**
 * The fused relu is a pseudo-max (value < 0 ? 0 : value, one instruction): a NaN
 * pre-activation must come out NaN, not 0 (nor -inf without relu), so a diverged
 * network shows as NaN instead of passing silently as dead units.
 */
describe('a NaN input stays NaN through the fused bias and relu', () => {
  for (const fma of [false, true]) {
    it(`${fma ? 'relaxed_madd' : 'mul + add'}: nn with and without relu, whole tiles and tails`, { skip: bareSkip(fma) }, () => {
      const memory = new WebAssembly.Memory({ initial: 64 });
      const k = matmulKernels(memory, fma, () => 3 << 20);
      for (const [M, K, N] of [[256, 17, 13], [5, 7, 9]] as Array<[number, number, number]>) {
        const f = new Float32Array(memory.buffer);
        const [b, bias, c] = [1 << 20, 2 << 20, 5 << 19];
        f.set(uniform(M * K, 90), 0);
        f.set(uniform(K * N, 91), b >> 2);
        f.fill(-1, bias >> 2, (bias >> 2) + N); // every other pre-activation negative: relu gives 0 there
        f.fill(0, b >> 2, (b >> 2) + K * N);
        f[3 * K + 2] = NaN; // row 3 of A
        for (const relu of [true, false]) {
          k.matmul('nn', 0, b, c, M, K, N, { bias, relu });
          for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
            const v = f[(c >> 2) + i * N + j];
            if (i === 3) assert.ok(Number.isNaN(v), `${M}x${K}x${N} relu ${relu} [3, ${j}]: ${v}, want NaN`);
            else assert.equal(v, relu ? 0 : -1, `${M}x${K}x${N} relu ${relu} [${i}, ${j}]`);
          }
        }
      }
    });
  }
});

describe('matmul kernels writing into a wider C (ldc > 4 N)', () => {
  for (const fma of [false, true]) {
    it(`${fma ? 'relaxed_madd' : 'mul + add'}: every form fills its N columns within 1e-5 of float64 and leaves the rest of each row alone`, { skip: bareSkip(fma) }, () => {
      const memory = new WebAssembly.Memory({ initial: 64 });
      const k = matmulKernels(memory, fma, () => 3 << 20);
      const pad = 5;
      let seed = 40;
      // [256, 140, 20]: packed panels in every form (nt: two panels, then a 4-column tail by dot products), two blocks of k.
      for (const [M, K, N] of [[9, 5, 7], [256, 256, 6], [7, 300, 11], [5, 7, 13], [64, 64, 16], [256, 140, 20]] as Array<[number, number, number]>) {
        for (const form of ['nn', 'nt', 'tn'] as const) {
          const f = new Float32Array(memory.buffer);
          const ldc = N + pad;
          const b = 1 << 20;
          const c = 2 << 20;
          f.set(uniform(M * K, seed++), 0);
          f.set(uniform(K * N, seed++), b >> 2);
          f.fill(NaN, c >> 2, (c >> 2) + M * ldc);
          k.matmul(form, 0, b, c, M, K, N, { ldc: 4 * ldc });
          const A = (i: number, l: number): number => (form === 'tn' ? f[l * M + i] : f[i * K + l]);
          const Bv = (l: number, j: number): number => (form === 'nt' ? f[(b >> 2) + j * K + l] : f[(b >> 2) + l * N + j]);
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < N; j++) {
              let sum = 0;
              let abs = 0;
              for (let l = 0; l < K; l++) {
                sum += A(i, l) * Bv(l, j);
                abs += Math.abs(A(i, l) * Bv(l, j));
              }
              const got = f[(c >> 2) + i * ldc + j];
              assert.ok(Math.abs(got - sum) <= TOL * abs, `${form} ${M}x${K}x${N} ldc ${ldc} [${i}, ${j}]: ${got} vs ${sum}`);
            }
            for (let j = N; j < ldc; j++) assert.ok(Number.isNaN(f[(c >> 2) + i * ldc + j]), `${form} ${M}x${K}x${N}: row ${i} column ${j} (past N) was written`);
          }
        }
      }
      assert.throws(() => k.matmul('nn', 0, 1 << 20, 2 << 20, 4, 4, 8, { ldc: 16 }), /ldc 16 must be .* at least 4 N = 32/);
    });
  }
});

describe('own matmul kernels, fma flavour in a child process', () => {
  const major = Number(process.versions.node.split('.')[0]);
  const skip = FMA_ONLY ? 'already the child' : fmaOk ? 'relaxed SIMD validates in this process: the fma suite above ran' : major >= 22 ? 'relaxed SIMD should be on by default here, yet does not validate' : false;
  it('passes with --experimental-wasm-relaxed-simd', { skip }, () => {
    const file = fileURLToPath(import.meta.url);
    // NODE_TEST_CONTEXT would make the child report to this runner instead of printing TAP.
    const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
    const child = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--test', '--test-reporter', 'tap', file], {
      env: { ...env, RPP_SAC_TEST_FMA_ONLY: '1' },
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(child.status, 0, `child failed:\n${child.stdout}\n${child.stderr}`);
    assert.match(child.stdout, /# pass [1-9]/);
    assert.match(child.stdout, /# fail 0/);
    assert.doesNotMatch(child.stdout, /own matmul kernels, fma # SKIP/);
    assert.ok(!child.stdout.includes(NO_RELAXED_SIMD), 'a relaxed_madd bare-memory case skipped in the child too');
  });

  it('RPP_SAC_MATMUL=fma alone (no V8 flag) turns relaxed SIMD on and runs relaxed_madd, within 1e-5 of mul + add', { skip: FMA_ONLY ? 'already the child' : false }, () => {
    const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/fma-env.ts', import.meta.url))], {
      env: { ...env, RPP_SAC_MATMUL: 'fma' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(child.status, 0, `child failed:\n${child.stderr}`);
    // The backend's log line comes first on stdout; the JSON is the last line.
    const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as { path: { path: string; madd: string }; fma: number[]; mulAdd: number[] };
    assert.equal(out.path.path, 'own');
    assert.equal(out.path.madd, 'relaxed_madd');
    assert.equal(out.fma.length, 64 * 64);
    const e = relErr(out.fma, out.mulAdd);
    assert.ok(e <= TOL, `fma vs mul + add: rel err ${e}`);
  });
});
