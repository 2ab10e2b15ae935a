/**
 * Signed permutations: the matrices rho with exactly one entry +-1 per row and
 * column. Every symmetry in rpp-sac (mirrors, leg cycles, sign flips) is one.
 *
 * Convention (as in /work/shared/spec/symmetries.json): y = rho x has
 * y[i] = sign[i] * x[perm[i]].
 */

/** A map as stored in symmetries.json: a list over output indices i of [src, sign]. */
export type SignedPermMap = ReadonlyArray<readonly [number, number]>;

export class SignedPerm {
  /** perm[i] = index of x that lands in y[i]. */
  readonly perm: Int32Array;
  /** sign[i] in {+1, -1}. */
  readonly sign: Float32Array;

  constructor(perm: ArrayLike<number>, sign?: ArrayLike<number>) {
    const n = perm.length;
    if (sign !== undefined && sign.length !== n) {
      throw new Error(`SignedPerm: perm has length ${n} but sign has length ${sign.length}; give one sign per output index.`);
    }
    const seen = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const p = perm[i];
      if (!Number.isInteger(p) || p < 0 || p >= n) {
        throw new Error(`SignedPerm: perm[${i}] = ${p} is not an index in [0, ${n}); a signed permutation of size ${n} must use each of 0..${n - 1} once.`);
      }
      if (seen[p] === 1) throw new Error(`SignedPerm: index ${p} appears twice in perm; it is not a permutation (each source index must be used exactly once).`);
      seen[p] = 1;
    }
    if (sign !== undefined) {
      for (let i = 0; i < n; i++) {
        if (sign[i] !== 1 && sign[i] !== -1) throw new Error(`SignedPerm: sign[${i}] = ${sign[i]}; signs must be exactly +1 or -1.`);
      }
    }
    this.perm = Int32Array.from(perm);
    this.sign = sign === undefined ? new Float32Array(n).fill(1) : Float32Array.from(sign);
    Object.freeze(this);
  }

  get size(): number {
    return this.perm.length;
  }

  /** From the symmetries.json format: map[i] = [src, sign] means y[i] = sign * x[src]. */
  static fromMap(map: SignedPermMap): SignedPerm {
    if (!Array.isArray(map)) throw new Error('SignedPerm.fromMap expects an array of [src, sign] pairs.');
    const perm: number[] = [];
    const sign: number[] = [];
    map.forEach((entry, i) => {
      if (!Array.isArray(entry) || entry.length !== 2) throw new Error(`SignedPerm.fromMap: entry ${i} is ${JSON.stringify(entry)}; expected [src, sign].`);
      perm.push(entry[0]);
      sign.push(entry[1]);
    });
    return new SignedPerm(perm, sign);
  }

  static identity(n: number): SignedPerm {
    if (!Number.isInteger(n) || n < 0) throw new Error(`SignedPerm.identity: size must be a non-negative integer, got ${n}.`);
    return new SignedPerm(Int32Array.from({ length: n }, (_, i) => i));
  }

  /** The map form (inverse of fromMap). */
  toMap(): Array<[number, number]> {
    return Array.from(this.perm, (p, i) => [p, this.sign[i]] as [number, number]);
  }

  /** (this ∘ other): x -> this.apply(other.apply(x)). */
  compose(other: SignedPerm): SignedPerm {
    this.checkSize(other, 'compose');
    const n = this.size;
    const perm = new Int32Array(n);
    const sign = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const j = this.perm[i];
      perm[i] = other.perm[j];
      sign[i] = this.sign[i] * other.sign[j];
    }
    return new SignedPerm(perm, sign);
  }

  inverse(): SignedPerm {
    const n = this.size;
    const perm = new Int32Array(n);
    const sign = new Float32Array(n);
    // y[i] = s[i] x[p[i]]  =>  x[p[i]] = s[i] y[i].
    for (let i = 0; i < n; i++) {
      perm[this.perm[i]] = i;
      sign[this.perm[i]] = this.sign[i];
    }
    return new SignedPerm(perm, sign);
  }

  /** this^k for any integer k (negative powers use the inverse). */
  pow(k: number): SignedPerm {
    if (!Number.isInteger(k)) throw new Error(`SignedPerm.pow: exponent must be an integer, got ${k}.`);
    let base: SignedPerm = k < 0 ? this.inverse() : this;
    let e = Math.abs(k);
    let result = SignedPerm.identity(this.size);
    while (e > 0) {
      if (e & 1) result = result.compose(base);
      base = base.compose(base);
      e >>= 1;
    }
    return result;
  }

  apply(x: ArrayLike<number>): Float64Array {
    if (x.length !== this.size) throw new Error(`SignedPerm.apply: input has length ${x.length}, expected ${this.size}.`);
    const y = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) y[i] = this.sign[i] * x[this.perm[i]];
    return y;
  }

  isIdentity(): boolean {
    for (let i = 0; i < this.size; i++) if (this.perm[i] !== i || this.sign[i] !== 1) return false;
    return true;
  }

  /** True when no sign is -1 (a plain permutation). */
  isUnsigned(): boolean {
    return this.sign.every((s) => s === 1);
  }

  equals(other: SignedPerm): boolean {
    if (other.size !== this.size) return false;
    for (let i = 0; i < this.size; i++) if (this.perm[i] !== other.perm[i] || this.sign[i] !== other.sign[i]) return false;
    return true;
  }

  /** Dense row-major [n, n] matrix M with M[i, perm[i]] = sign[i] (for tests and the reference solver). */
  toMatrix(): Float64Array {
    const n = this.size;
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) m[i * n + this.perm[i]] = this.sign[i];
    return m;
  }

  private checkSize(other: SignedPerm, op: string): void {
    if (other.size !== this.size) throw new Error(`SignedPerm.${op}: sizes differ (${this.size} vs ${other.size}).`);
  }
}
