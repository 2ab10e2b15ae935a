/**
 * A small seeded PRNG (xoshiro128**, seeded through splitmix32) with uniform and
 * normal draws and a serialisable state, so envs, replay sampling and exploration
 * noise are reproducible and checkpointable. Not bit-compatible with NumPy's PCG64:
 * runs are reproducible within rpp-sac, not against Python.
 */
export interface RngState {
  s: [number, number, number, number];
  /** Cached second normal from Box-Muller, or null. */
  spare: number | null;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  seed(seed: number): void {
    if (!Number.isFinite(seed)) throw new Error(`Rng seed must be a finite number, got ${seed}`);
    // Fold the full double into 32 bits so large seeds still differ.
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    const sm = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d));
    for (let i = 0; i < 4; i++) this.s[i] = sm();
    if (this.s[0] === 0 && this.s[1] === 0 && this.s[2] === 0 && this.s[3] === 0) this.s[0] = 1;
    this.spare = null;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) throw new Error(`Rng.int needs a positive integer, got ${n}`);
    return Math.floor(this.random() * n);
  }

  /** Standard normal (Box-Muller, caching the second draw). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  getState(): RngState {
    return { s: [this.s[0], this.s[1], this.s[2], this.s[3]], spare: this.spare };
  }

  setState(state: RngState): void {
    if (!Array.isArray(state.s) || state.s.length !== 4) throw new Error('Invalid RngState: expected s to be 4 uint32 values');
    for (let i = 0; i < 4; i++) this.s[i] = state.s[i] >>> 0;
    this.spare = state.spare;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Seed of training env `env`'s episode `episode` in a run seeded `seed`: a fixed 32-bit
 * mix, so every episode's reset is reproducible on its own (see src/pipeline/rollout-envs.ts).
 */
export function episodeSeed(seed: number, env: number, episode: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1);
  h = (h + Math.imul(env + 1, 0x27d4eb2d)) | 0;
  return (h + Math.imul(episode, 0x85ebca6b)) >>> 0;
}
