/**
 * Finite cyclic groups Z_n with one generator h (h^n = e). Every symmetry group
 * used by the RPP paper's RL code (Z2 mirrors, the Z4 leg cycle of Ant) is one.
 */
export class CyclicGroup {
  readonly order: number;
  readonly name: string;

  constructor(order: number) {
    if (!Number.isInteger(order) || order < 1) throw new Error(`CyclicGroup: order must be a positive integer, got ${order}.`);
    this.order = order;
    this.name = `Z${order}`;
    Object.freeze(this);
  }

  equals(other: CyclicGroup): boolean {
    return other.order === this.order;
  }
}

/** The cyclic group of order n. */
export function Z(n: number): CyclicGroup {
  return new CyclicGroup(n);
}

export const Z2: CyclicGroup = Z(2);
export const Z4: CyclicGroup = Z(4);

/** Parse 'Z2', 'Z4', 'Zn' (as in SymmetrySpec.group). */
export function groupFromName(name: string): CyclicGroup {
  const m = /^Z(\d+)$/.exec(name.trim());
  if (m === null) throw new Error(`Unknown group '${name}': expected a cyclic group name like 'Z2' or 'Z4'.`);
  return Z(Number(m[1]));
}
