/**
 * Host kernels (src/kernels/host-kernel.ts) and the zero-copy wasm Identity:
 * the group-average kernel equals the Float64 projector on the wasm and cpu
 * backends, and sharing buffers in Identity never lets a clone see a later value.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { fromMaps, hiddenRep, projectBiasArray, projectWeightArray, pseudoscalar, directSum, regular, Z2, Z4, type Rep } from '../src/equivariance/index.js';
import { GROUP_AVERAGE_KERNEL, groupAverageTables } from '../src/equivariance/group-average-kernel.js';
import { projector } from '../src/equivariance/projector.js';
import { trivial } from '../src/equivariance/rep.js';
import { hasHostKernel, runHostKernel, useHostKernels } from '../src/kernels/host-kernel.js';
import { elementwise, HeapBuffers, heapView } from '../src/kernels/heap-buffers.js';
import { nativeKernels } from '../src/kernels/native-kernels.js';
import { antPaperAct, antPaperObs, walker2dExactMirrorAct, walker2dExactMirrorObs } from '../envs/symmetry-maps.js';
import { maxAbsDiff, uniform } from './numeric-helpers.js';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

after(async () => {
  await tf.setBackend('wasm');
});

const cases: Array<[string, Rep, Rep]> = [
  ['Z2 Walker2d obs -> act', fromMaps(Z2, walker2dExactMirrorObs), fromMaps(Z2, walker2dExactMirrorAct)],
  ['Z2 hidden 256 -> hidden 256', hiddenRep(Z2, 256), hiddenRep(Z2, 256)],
  ['Z2 hidden 32 -> pseudoscalars', hiddenRep(Z2, 32), directSum(pseudoscalar(Z2), pseudoscalar(Z2), trivial(Z2, 1))],
  ['Z4 Ant paper obs -> act', fromMaps(Z4, antPaperObs), fromMaps(Z4, antPaperAct)],
  ['Z4 regular -> hidden 16', regular(Z4), hiddenRep(Z4, 16)],
];

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`group-average host kernel on ${backend}`, () => {
    before(async () => {
      await tf.setBackend(backend);
    });

    it('is registered for this backend', () => {
      assert.ok(hasHostKernel(GROUP_AVERAGE_KERNEL));
    });

    for (const [label, repIn, repOut] of cases) {
      it(`${label}: weights and biases equal the Float64 projection (<= 1e-6)`, () => {
        const t = groupAverageTables(repIn, repOut);
        const w = uniform(repIn.dim * repOut.dim, 3);
        const before = tf.memory().numTensors;
        const got = tf.tidy(() => runHostKernel(GROUP_AVERAGE_KERNEL, [tf.tensor2d(w, [repIn.dim, repOut.dim])], t)[0].dataSync());
        assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
        assert.ok(maxAbsDiff(got, projectWeightArray(repIn, repOut, w)) <= 1e-6);
        const bt = groupAverageTables(trivial(repOut.group, 1), repOut);
        const b = uniform(repOut.dim, 4);
        const [gotB, shape] = tf.tidy(() => {
          const y = runHostKernel(GROUP_AVERAGE_KERNEL, [tf.tensor1d(b)], bt)[0];
          return [y.dataSync(), y.shape];
        });
        assert.deepEqual(shape, [repOut.dim], 'a bias keeps its rank-1 shape');
        assert.ok(maxAbsDiff(gotB, projectBiasArray(repOut, b)) <= 1e-6);
      });
    }

    it('effective weight: P(w_equiv) + w_basic and its rows scaled by 1 + s, equal to the tf-op path', () => {
      const repIn = fromMaps(Z2, walker2dExactMirrorObs);
      const repOut = hiddenRep(Z2, 32);
      const p = projector(repIn, repOut);
      const we = tf.tensor2d(uniform(17 * 32, 5), [17, 32]);
      const wb = tf.tensor2d(uniform(17 * 32, 6), [17, 32]);
      const s = tf.tensor1d(uniform(17, 7));
      const run = (): Float32Array[] =>
        tf.tidy(() => {
          const a = p.effective(we, wb, tf.reshape(tf.add(s, 1), [17, 1]) as tf.Tensor2D);
          const b = p.effective(we, null, null);
          return [a.w.dataSync() as Float32Array, a.scaled!.dataSync() as Float32Array, b.w.dataSync() as Float32Array];
        });
      assert.ok(hasHostKernel(GROUP_AVERAGE_KERNEL));
      const kernel = run();
      useHostKernels(false);
      let ops: Float32Array[];
      try {
        assert.ok(!hasHostKernel(GROUP_AVERAGE_KERNEL));
        ops = run();
      } finally {
        useHostKernels(true);
      }
      const pw = projectWeightArray(repIn, repOut, we.dataSync());
      const wbv = wb.dataSync();
      const sv = s.dataSync();
      const sum = pw.map((u, k) => u + wbv[k]);
      const scaled = sum.map((u, k) => u * (1 + sv[Math.floor(k / 32)]));
      for (const [i, got] of [...kernel, ...ops].entries()) {
        const expected = [sum, scaled, pw][i % 3];
        assert.ok(maxAbsDiff(got, expected) <= 1e-5, `output ${i % 3} of the ${i < 3 ? 'kernel' : 'tf-op'} path`);
      }
      tf.dispose([we, wb, s]);
      p.dispose();
    });

    it('refuses a weight of the wrong shape, naming the expected one', () => {
      const t = groupAverageTables(hiddenRep(Z2, 8), hiddenRep(Z2, 8));
      assert.throws(() => tf.tidy(() => runHostKernel(GROUP_AVERAGE_KERNEL, [tf.zeros([4, 8])], t)), /expected a \[8, 8\] input/);
    });
  });
}

describe('zero-copy Identity on wasm', () => {
  before(async () => {
    await tf.setBackend('wasm');
  });

  it('a clone shares the buffer, keeps its values after the original is disposed or a variable is reassigned', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const c = tf.clone(x);
    const backend = tf.backend() as unknown as { refCount(id: object): number };
    assert.equal(backend.refCount(x.dataId), 2, 'one buffer, two references');
    x.dispose();
    assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3]);
    c.dispose();

    const v = tf.variable(tf.tensor1d([5, 6]));
    const snapshot = tf.clone(v);
    tf.tidy(() => v.assign(tf.add(v, 10)));
    assert.deepEqual(Array.from(snapshot.dataSync()), [5, 6], 'assign rebinds the variable, the clone keeps the old value');
    assert.deepEqual(Array.from(v.dataSync()), [15, 16]);
    snapshot.dispose();
    v.dispose();
  });

  it('tensors saved for a backward pass keep their values (gradients through a saved activation)', () => {
    const x = tf.tensor1d([0.5, -1, 2]);
    const g = tf.tidy(() => tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.exp(z), tf.exp(z))))(x).dataSync());
    const expected = [0.5, -1, 2].map((u) => 2 * Math.exp(2 * u));
    assert.ok(maxAbsDiff(g, expected) < 1e-4);
    x.dispose();
  });
});

describe('native wasm kernels', () => {
  before(async () => {
    await tf.setBackend('wasm');
  });

  it('matrix transposes (the wrapped Transpose kernel) are exact; other ranks still work', () => {
    for (const [r, c] of [[37, 5], [256, 256], [1, 7], [6, 1]]) {
      const v = uniform(r * c, r + c);
      const got = tf.tidy(() => tf.transpose(tf.tensor2d(v, [r, c])).dataSync());
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) assert.equal(got[j * r + i], v[i * c + j], `[${r}, ${c}] entry (${i}, ${j})`);
    }
    const t3 = tf.tidy(() => tf.transpose(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), [2, 0, 1]).dataSync());
    assert.deepEqual(Array.from(t3), [1, 3, 5, 7, 2, 4, 6, 8]);
  });

  it("add, mul (vector and scalar tails) and rowDot give tf.add's, tf.mul's and tf.sum(tf.mul(a, b), 1)'s bits", () => {
    const buffers = new HeapBuffers();
    try {
      for (const [r, c] of [[256, 256], [17, 7], [3, 1]]) {
        const n = r * c;
        // Wide magnitudes, so any reordering of the row sums would show in the last bits.
        const a = Float32Array.from(uniform(n, 31 + r), (x, i) => x * Math.exp((i % 13) - 6));
        const b = Float32Array.from(uniform(n, 37 + c), (x, i) => x * Math.exp((i % 7) - 3));
        const [ha, hb, hOut, hRows] = [buffers.alloc(n), buffers.alloc(n), buffers.alloc(n), buffers.alloc(r)];
        buffers.write(ha, a);
        buffers.write(hb, b);
        const want = tf.tidy(() => {
          const [ta, tb] = [tf.tensor2d(a, [r, c]), tf.tensor2d(b, [r, c])];
          return { add: tf.add(ta, tb).dataSync().slice(), mul: tf.mul(ta, tb).dataSync().slice(), rowDot: tf.sum(tf.mul(ta, tb), 1).dataSync().slice() };
        });
        elementwise('add', ha, hb, hOut);
        assert.deepEqual(heapView(hOut).slice(), want.add, `add [${r}, ${c}]`);
        elementwise('mul', ha, hb, hOut);
        assert.deepEqual(heapView(hOut).slice(), want.mul, `mul [${r}, ${c}]`);
        nativeKernels()!.rowDot(ha.ptr, hb.ptr, hRows.ptr, r, c);
        assert.deepEqual(heapView(hRows).slice(), want.rowDot, `rowDot [${r}, ${c}]`);
      }
    } finally {
      buffers.dispose();
    }
  });
});

describe('optimizer host kernels: wasm native and cpu JS paths agree', () => {
  it('Adam (l2, clip) and Polyak give the same values on wasm and on cpu (<= 1e-5)', async () => {
    const { Adam } = await import('../agents/adam.js');
    const { polyakUpdate } = await import('../agents/losses.js');
    const shapes = [[5, 3], [3], [7]];
    const run = async (backend: 'wasm' | 'cpu'): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      const vars = shapes.map((sh, i) => tf.variable(tf.tensor(uniform(sh.reduce((a, b) => a * b, 1), 30 + i), sh)));
      const targets = shapes.map((sh, i) => tf.variable(tf.tensor(uniform(sh.reduce((a, b) => a * b, 1), 40 + i), sh)));
      const opt = new Adam(vars, { lr: 0.02, l2: [0.1, 0.2, 0], clipNorm: 0.3 });
      for (let t = 0; t < 3; t++) {
        tf.tidy(() => opt.apply(shapes.map((sh, i) => tf.tensor(uniform(sh.reduce((a, b) => a * b, 1), 50 + 10 * t + i), sh))));
        polyakUpdate(targets, vars, 0.3);
      }
      const out = [...vars, ...targets].map((v) => v.dataSync() as Float32Array);
      tf.dispose([...vars, ...targets]);
      opt.dispose();
      return out;
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    await tf.setBackend('wasm');
    wasm.forEach((a, i) => assert.ok(maxAbsDiff(a, cpu[i]) <= 1e-5, `tensor ${i}`));
  });
});

describe('heap-copy Slice, SplitV and Concat on wasm', () => {
  before(async () => {
    await tf.setBackend('wasm');
  });

  /** The same op on the cpu backend: the reference. */
  async function onCpu(f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
    await tf.setBackend('cpu');
    try {
      return tf.tidy(() => {
        const r = f();
        return (Array.isArray(r) ? r : [r]).map((t) => t.dataSync() as Float32Array);
      });
    } finally {
      await tf.setBackend('wasm');
    }
  }

  const cases: Array<[string, () => tf.Tensor | tf.Tensor[]]> = [
    ['slice 1-d', () => tf.slice(tf.tensor1d(uniform(40, 1)), [7], [20])],
    ['slice 2-d columns', () => tf.slice(tf.tensor2d(uniform(256 * 23, 2), [256, 23]), [0, 17], [256, 6])],
    ['slice 3-d', () => tf.slice(tf.tensor3d(uniform(4 * 5 * 6, 3), [4, 5, 6]), [1, 2, 3], [2, 3, 2])],
    ['slice 4-d', () => tf.slice(tf.tensor4d(uniform(3 * 4 * 5 * 2, 4), [3, 4, 5, 2]), [1, 0, 2, 1], [2, 4, 2, 1])],
    ['split 2-d axis 1', () => tf.split(tf.tensor2d(uniform(256 * 23, 5), [256, 23]), [17, 6], 1)],
    ['split 3-d axis 0', () => tf.split(tf.tensor3d(uniform(6 * 2 * 3, 6), [6, 2, 3]), 3, 0)],
    ['concat 2-d axis 1', () => tf.concat([tf.tensor2d(uniform(256 * 17, 7), [256, 17]), tf.tensor2d(uniform(256 * 6, 8), [256, 6])], 1)],
    ['concat 1-d', () => tf.concat([tf.tensor1d(uniform(5, 9)), tf.tensor1d(uniform(3, 10)), tf.tensor1d(uniform(4, 11))])],
    ['concat 3-d axis 1', () => tf.concat([tf.tensor3d(uniform(24, 12), [2, 3, 4]), tf.tensor3d(uniform(8, 13), [2, 1, 4])], 1)],
  ];
  for (const [label, f] of cases) {
    it(`${label} equals the cpu backend exactly`, async () => {
      const got = tf.tidy(() => {
        const r = f();
        return (Array.isArray(r) ? r : [r]).map((t) => t.dataSync() as Float32Array);
      });
      const want = await onCpu(f);
      assert.equal(got.length, want.length);
      got.forEach((g, i) => assert.deepEqual(Array.from(g), Array.from(want[i])));
    });
  }
});

describe('relu backward host kernel', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`on ${backend}: dy where y > 0, else 0 (also at y = 0), equal to dy * step(y)`, async () => {
      const { reluGrad, RELU_GRAD_KERNEL } = await import('../src/nn/relu-grad-kernel.js');
      await tf.setBackend(backend);
      try {
        assert.ok(hasHostKernel(RELU_GRAD_KERNEL));
        const y = Float32Array.from([...uniform(37, 70)].map((u, i) => (i % 5 === 0 ? 0 : u)));
        const dy = uniform(37, 71);
        const got = tf.tidy(() => reluGrad(tf.tensor1d(dy), tf.tensor1d(y)).dataSync());
        assert.deepEqual(Array.from(got), Array.from(dy).map((d, i) => (y[i] > 0 ? d : 0)));
      } finally {
        await tf.setBackend('wasm');
      }
    });
  }
});

describe('swish backward host kernel', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`on ${backend}: bitwise the tf ops dy * ((s + sw) - sw * s), with a lane tail`, async () => {
      const { swishGrad, SWISH_GRAD_KERNEL } = await import('../src/nn/swish-grad-kernel.js');
      await tf.setBackend(backend);
      try {
        assert.ok(hasHostKernel(SWISH_GRAD_KERNEL));
        for (const n of [37, 1536]) {
          const z = [...uniform(n, 80)].map((u) => 6 * u);
          const dy = tf.tensor1d(uniform(n, 81));
          const s = tf.sigmoid(tf.tensor1d(z));
          const sw = tf.mul(tf.tensor1d(z), s);
          const got = tf.tidy(() => swishGrad(dy, s, sw).dataSync());
          const want = tf.tidy(() => tf.mul(dy, tf.sub(tf.add(s, sw), tf.mul(sw, s))).dataSync());
          assert.ok(want.some((v) => v !== 0));
          assert.deepEqual(Array.from(got), Array.from(want), `n ${n}`);
          tf.dispose([dy, s, sw]);
        }
      } finally {
        await tf.setBackend('wasm');
      }
    });
  }
});

describe('wasm encoder', () => {
  it('LEB128 encodings match the specification examples', async () => {
    const { uleb, sleb } = await import('../src/kernels/wasm-encoder.js');
    assert.deepEqual(uleb(0), [0x00]);
    assert.deepEqual(uleb(127), [0x7f]);
    assert.deepEqual(uleb(128), [0x80, 0x01]);
    assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
    assert.deepEqual(sleb(-1), [0x7f]);
    assert.deepEqual(sleb(63), [0x3f]);
    assert.deepEqual(sleb(64), [0xc0, 0x00]);
    assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
  });

  it('a malformed function body is refused when the module is compiled', async () => {
    const { encodeModule, op } = await import('../src/kernels/wasm-encoder.js');
    // f32.add with nothing on the stack does not validate.
    const bad = encodeModule([{ name: 'bad', params: [], results: [], locals: [], body: [op.f32Add] }]);
    const wasm = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object } }).WebAssembly;
    assert.throws(() => new wasm.Module(bad));
    const good = encodeModule([{ name: 'id', params: ['f32'], results: ['f32'], locals: [], body: [op.get(0)] }]);
    assert.ok(new wasm.Module(good));
  });
});

describe('single-output dense kernels (critic heads)', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`on ${backend}: value, input gradient and parameter gradients equal builtin-op autodiff`, async () => {
      const { denseLinear } = await import('../src/nn/dense.js');
      const { DENSE_ONE_KERNEL } = await import('../src/nn/dense-one-kernel.js');
      await tf.setBackend(backend);
      try {
        assert.ok(hasHostKernel(DENSE_ONE_KERNEL));
        for (const width of [24, 256]) {
          const x = tf.tensor2d(uniform(13 * width, width), [13, width]);
          const w = tf.variable(tf.tensor2d(uniform(width, width + 1), [width, 1]));
          const b = tf.variable(tf.tensor1d([0.3]));
          const r = tf.tensor2d(uniform(13, 99), [13, 1]);
          const ours = tf.tidy(() => {
            const f = (z: tf.Tensor): tf.Scalar => tf.sum(tf.mul(denseLinear(z as tf.Tensor2D, w, b), r));
            const { value, grads } = tf.variableGrads(() => f(x), [w, b]);
            const frozen = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(denseLinear(z as tf.Tensor2D, w, b, false), r)))(x);
            return [value, tf.grad(f)(x), grads[w.name], grads[b.name], frozen].map((t) => t.dataSync() as Float32Array);
          });
          const ref = tf.tidy(() => {
            const f = (z: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.add(tf.matMul(z, w), b), r));
            const { value, grads } = tf.variableGrads(() => f(x), [w, b]);
            return [value, tf.grad(f)(x), grads[w.name], grads[b.name], tf.grad(f)(x)].map((t) => t.dataSync() as Float32Array);
          });
          ours.forEach((a, i) => assert.ok(maxAbsDiff(a, ref[i]) <= 1e-4 * (1 + Math.max(...Array.from(ref[i]).map(Math.abs))), `width ${width}, output ${i}`));
          tf.dispose([x, w, b, r]);
        }
      } finally {
        await tf.setBackend('wasm');
      }
    });
  }
});
