import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  SignedPerm, Z, Z2, Z4, groupFromName, trivial, pseudoscalar, regular, directSum, tensor, multiple, fromMaps, hiddenRep, equivariantDimension,
} from '../src/equivariance/index.js';
import { walker2dExactMirrorObs, antPaperObs, antPaperAct } from '../envs/symmetry-maps.js';

describe('SignedPerm', () => {
  it('applies y[i] = sign[i] * x[perm[i]] as in symmetries.json', () => {
    const g = SignedPerm.fromMap([[2, 1], [0, -1], [1, 1]]);
    assert.deepEqual(Array.from(g.apply([10, 20, 30])), [30, -10, 20]);
    assert.deepEqual(g.toMap(), [[2, 1], [0, -1], [1, 1]]);
  });

  it('composes as function composition, inverts, and takes powers', () => {
    const a = SignedPerm.fromMap([[1, -1], [2, 1], [0, 1]]);
    const b = SignedPerm.fromMap([[2, 1], [1, -1], [0, -1]]);
    const x = [1.5, -2, 7];
    assert.deepEqual(Array.from(a.compose(b).apply(x)), Array.from(a.apply(b.apply(x))));
    assert.ok(a.compose(a.inverse()).isIdentity());
    assert.ok(a.inverse().compose(a).isIdentity());
    assert.ok(a.pow(3).equals(a.compose(a).compose(a)));
    assert.ok(a.pow(-2).equals(a.inverse().compose(a.inverse())));
    assert.ok(a.pow(0).isIdentity());
    // The dense matrix agrees with apply.
    const m = a.toMatrix();
    const y = a.apply(x);
    for (let i = 0; i < 3; i++) assert.equal(m[i * 3] * x[0] + m[i * 3 + 1] * x[1] + m[i * 3 + 2] * x[2], y[i]);
  });

  it('rejects non-permutations and bad signs with a clear error', () => {
    assert.throws(() => SignedPerm.fromMap([[0, 1], [0, 1]]), /appears twice/);
    assert.throws(() => SignedPerm.fromMap([[0, 1], [2, 1]]), /not an index/);
    assert.throws(() => SignedPerm.fromMap([[0, 1], [1, 0.5]]), /\+1 or -1/);
    assert.throws(() => new SignedPerm([0, 1], [1]), /sign has length/);
  });
});

describe('reps', () => {
  it('regular rep follows EMLP roll(x, 1): [a,b,c,d] -> [d,a,b,c]', () => {
    assert.deepEqual(Array.from(regular(Z4).generator.apply([1, 2, 3, 4])), [4, 1, 2, 3]);
    assert.deepEqual(Array.from(regular(Z2).generator.apply([1, 2])), [2, 1]);
  });

  it('elements() lists rho(h^k), identity first, and characters are traces', () => {
    const r = regular(Z4);
    const els = r.elements();
    assert.equal(els.length, 4);
    assert.ok(els[0].isIdentity());
    assert.ok(els[2].equals(r.generator.pow(2)));
    assert.deepEqual([0, 1, 2, 3].map((k) => r.character(k)), [4, 0, 0, 0]);
    assert.deepEqual([0, 1].map((k) => pseudoscalar(Z2).character(k)), [1, -1]);
  });

  it('pseudoscalar needs an even-order group', () => {
    assert.throws(() => pseudoscalar(Z(3)), /odd order/);
    assert.equal(pseudoscalar(Z4).generator.sign[0], -1);
  });

  it('directSum keeps the written order, tensor and multiple compose channels', () => {
    const s = directSum(trivial(Z2), pseudoscalar(Z2), regular(Z2));
    assert.equal(s.dim, 4);
    assert.deepEqual(Array.from(s.generator.apply([1, 2, 3, 4])), [1, -2, 4, 3]);
    const t = tensor(regular(Z2), pseudoscalar(Z2));
    assert.deepEqual(Array.from(t.generator.apply([1, 2])), [-2, -1]);
    const tt = tensor(regular(Z2), regular(Z2)); // T2: (i,j) -> (i-1, j-1)
    assert.deepEqual(Array.from(tt.generator.apply([1, 2, 3, 4])), [4, 3, 2, 1]);
    const m = multiple(regular(Z2), 3);
    assert.equal(m.dim, 6);
    assert.deepEqual(Array.from(m.generator.apply([1, 2, 3, 4, 5, 6])), [2, 1, 4, 3, 6, 5]);
    assert.throws(() => directSum(regular(Z2), regular(Z4)), /different groups/);
  });

  it('fromMaps checks rho(h)^|G| = I', () => {
    const w = fromMaps(Z2, walker2dExactMirrorObs);
    assert.equal(w.dim, 17);
    const a = fromMaps(Z4, antPaperObs);
    assert.equal(a.dim, 105);
    assert.ok(!a.generator.pow(2).isIdentity(), 'the Ant paper map is a genuine 4-cycle');
    assert.equal(fromMaps(Z4, antPaperAct).dim, 8);
    // A 4-cycle is not a Z2 rep.
    assert.throws(() => fromMaps(Z2, antPaperAct), /rho\(h\)\^2 = I/);
    assert.equal(groupFromName('Z4').order, 4);
    assert.throws(() => groupFromName('SO3'), /cyclic group/);
  });

  it('hiddenRep is a block-major multiple of the regular rep (generator cycles contiguous blocks)', () => {
    const h = hiddenRep(Z4, 10); // round(10/4) = 3 copies -> dim 12
    assert.equal(h.dim, 12);
    const x = Array.from({ length: 12 }, (_, i) => i);
    // Block k (channels 3k..3k+2) receives block k-1.
    assert.deepEqual(Array.from(h.generator.apply(x)), [9, 10, 11, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    // Same characters as 3 copies of the regular rep.
    for (let k = 0; k < 4; k++) assert.equal(h.character(k), multiple(regular(Z4), 3).character(k));
    assert.equal(hiddenRep(Z2, 256).dim, 256);
  });

  it('equivariantDimension is the character inner product', () => {
    // Hopper-like check from rpp.md: 3P <- (T0 + 4P + P + T0 + 4P): (3*11 + (-3)(-7))/2 = 27.
    const P = pseudoscalar(Z2);
    const T0 = trivial(Z2);
    const hopperIn = directSum(T0, multiple(P, 4), P, T0, multiple(P, 4));
    assert.equal(equivariantDimension(hopperIn, multiple(P, 3)), 27);
    assert.equal(equivariantDimension(multiple(regular(Z2), 3), multiple(regular(Z2), 3)), 18);
    assert.equal(equivariantDimension(multiple(regular(Z4), 2), multiple(regular(Z4), 2)), 16);
  });
});
