/**
 * Representations of a cyclic group by signed permutations, as immutable values
 * with a small algebra (trivial, pseudoscalar, regular, direct sums, tensor
 * products, multiples). A rep is fixed by the matrix of the generator: rho(h^k) =
 * rho(h)^k.
 */
import { CyclicGroup } from './group.js';
import { SignedPerm, type SignedPermMap } from './signed-perm.js';

export class Rep {
  readonly group: CyclicGroup;
  readonly dim: number;
  /** rho(h) for the group's generator h. */
  readonly generator: SignedPerm;
  /** A readable description, e.g. '2T0+3T1' (for logs and errors). */
  readonly label: string;
  #elements: SignedPerm[] | undefined;

  constructor(group: CyclicGroup, generator: SignedPerm, label = `rep(${generator.size})`) {
    const n = group.order;
    if (!generator.pow(n).isIdentity()) {
      throw new Error(`Rep ${label}: the generator does not satisfy rho(h)^${n} = I, so it is not a representation of ${group.name}. Check the map (and the group order).`);
    }
    this.group = group;
    this.dim = generator.size;
    this.generator = generator;
    this.label = label;
  }

  /** rho(h^k) for k = 0..|G|-1, identity first. */
  elements(): SignedPerm[] {
    if (this.#elements === undefined) {
      const out = [SignedPerm.identity(this.dim)];
      for (let k = 1; k < this.group.order; k++) out.push(out[k - 1].compose(this.generator));
      this.#elements = out;
    }
    return this.#elements;
  }

  /** rho(h^k) for any integer k. */
  element(k: number): SignedPerm {
    const n = this.group.order;
    return this.elements()[((k % n) + n) % n];
  }

  /** chi(h^k) = trace rho(h^k). */
  character(k: number): number {
    const g = this.element(k);
    let tr = 0;
    for (let i = 0; i < this.dim; i++) if (g.perm[i] === i) tr += g.sign[i];
    return tr;
  }

  /** True when no group element flips a sign (a permutation rep). */
  isPermutationRep(): boolean {
    return this.generator.isUnsigned();
  }

  /**
   * For each channel: whether some group element maps it with a -1 sign, closed
   * under orbits (a pointwise activation must be odd on every such channel).
   */
  signFlippedChannels(): boolean[] {
    const flipped = new Array<boolean>(this.dim).fill(false);
    for (const g of this.elements()) for (let i = 0; i < this.dim; i++) if (g.sign[i] === -1) flipped[i] = true;
    // Close under orbits so the activation is the same function on every channel of an orbit.
    let changed = true;
    while (changed) {
      changed = false;
      for (let i = 0; i < this.dim; i++) {
        const j = this.generator.perm[i];
        if (flipped[i] !== flipped[j]) {
          flipped[i] = flipped[j] = true;
          changed = true;
        }
      }
    }
    return flipped;
  }

  toString(): string {
    return `${this.label} of ${this.group.name} (dim ${this.dim})`;
  }
}

function sameGroup(reps: readonly Rep[], op: string): CyclicGroup {
  if (reps.length === 0) throw new Error(`${op}: needs at least one rep.`);
  const g = reps[0].group;
  for (const r of reps) {
    if (!r.group.equals(g)) throw new Error(`${op}: reps of different groups (${g.name} and ${r.group.name}) cannot be combined.`);
  }
  return g;
}

/** n copies of the invariant (scalar) rep T0. */
export function trivial(group: CyclicGroup, n = 1): Rep {
  return new Rep(group, SignedPerm.identity(n), n === 1 ? 'T0' : `${n}T0`);
}

/** The sign rep P: the generator acts by -1. Only a rep of even-order groups. */
export function pseudoscalar(group: CyclicGroup): Rep {
  if (group.order % 2 !== 0) throw new Error(`pseudoscalar: ${group.name} has odd order, so h -> -1 is not a representation (needs (-1)^n = 1). Use an even-order group.`);
  return new Rep(group, new SignedPerm([0], [-1]), 'P');
}

/** The regular rep T1 (EMLP convention roll(x, 1): [a,b,c,d] -> [d,a,b,c]). */
export function regular(group: CyclicGroup): Rep {
  const n = group.order;
  return new Rep(group, new SignedPerm(Int32Array.from({ length: n }, (_, i) => (i - 1 + n) % n)), 'T1');
}

/** Direct sum in the written order: channels of reps[0] first. */
export function directSum(...reps: Rep[]): Rep {
  const group = sameGroup(reps, 'directSum');
  const dim = reps.reduce((s, r) => s + r.dim, 0);
  const perm = new Int32Array(dim);
  const sign = new Float32Array(dim);
  let off = 0;
  for (const r of reps) {
    for (let i = 0; i < r.dim; i++) {
      perm[off + i] = off + r.generator.perm[i];
      sign[off + i] = r.generator.sign[i];
    }
    off += r.dim;
  }
  return new Rep(group, new SignedPerm(perm, sign), reps.map((r) => (r.label.includes('+') ? `(${r.label})` : r.label)).join('+'));
}

/** Tensor product a ⊗ b; channel (i, j) is at index i * b.dim + j. */
export function tensor(a: Rep, b: Rep): Rep {
  const group = sameGroup([a, b], 'tensor');
  const dim = a.dim * b.dim;
  const perm = new Int32Array(dim);
  const sign = new Float32Array(dim);
  for (let i = 0; i < a.dim; i++) {
    for (let j = 0; j < b.dim; j++) {
      perm[i * b.dim + j] = a.generator.perm[i] * b.dim + b.generator.perm[j];
      sign[i * b.dim + j] = a.generator.sign[i] * b.generator.sign[j];
    }
  }
  return new Rep(group, new SignedPerm(perm, sign), `(${a.label})⊗(${b.label})`);
}

/** k copies of rep, copy-major (all channels of copy 0 first). */
export function multiple(rep: Rep, k: number): Rep {
  if (!Number.isInteger(k) || k < 1) throw new Error(`multiple: count must be a positive integer, got ${k}.`);
  const r = directSum(...Array.from({ length: k }, () => rep));
  return new Rep(rep.group, r.generator, `${k}(${rep.label})`);
}

/**
 * |rho|: the same permutation with every sign +1. The spread of an equivariant Gaussian
 * policy transforms this way: if mean(g s) = rho(g) mean(s), then std(g s) = |rho(g)| std(s)
 * (a standard deviation is moved with its actuator but never negated). For a rep that
 * only flips signs (HalfCheetah's, Hopper's) this is the trivial rep.
 */
export function unsignedRep(rep: Rep): Rep {
  const label = rep.isPermutationRep() ? rep.label : `|${rep.label}|`;
  return new Rep(rep.group, new SignedPerm(rep.generator.perm), label);
}

/** A rep whose generator is given as a signed-permutation map (symmetries.json format). */
export function fromMaps(group: CyclicGroup, map: SignedPermMap, label = 'map'): Rep {
  return new Rep(group, SignedPerm.fromMap(map), label);
}

/**
 * The hidden-layer rep: m copies of the regular rep with m = round(width / |G|),
 * ordered block-major (element 0 of every copy, then element 1, ...). The
 * generator then cycles contiguous blocks of m channels (roll by m), which the
 * tf projector does with slice+concat instead of a ~10x slower gather on wasm.
 */
export function hiddenRep(group: CyclicGroup, width: number): Rep {
  if (!Number.isInteger(width) || width < 1) throw new Error(`hiddenRep: width must be a positive integer, got ${width}.`);
  const n = group.order;
  const m = Math.max(1, Math.round(width / n));
  const dim = m * n;
  const perm = Int32Array.from({ length: dim }, (_, j) => (j - m + dim) % dim);
  return new Rep(group, new SignedPerm(perm), `${m}T1`);
}

/** Dimension of the space of equivariant linear maps repIn -> repOut: 1/|G| sum_g chi_out(g) chi_in(g). */
export function equivariantDimension(repIn: Rep, repOut: Rep): number {
  const group = sameGroup([repIn, repOut], 'equivariantDimension');
  let s = 0;
  for (let k = 0; k < group.order; k++) s += repOut.character(k) * repIn.character(k);
  return s / group.order;
}
