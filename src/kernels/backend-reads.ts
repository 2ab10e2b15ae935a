/**
 * Counts device->host reads: wraps the active backend's read (data()) and readSync
 * (dataSync()) while a function runs. For the "no read per update" checks on GPU
 * backends (benchmarks and tests). A read of a tensor whose values the backend already
 * holds on the host (webgpu keeps uploaded inputs there until a GPU kernel needs them,
 * and its Concat of such inputs runs on the CPU) is no transfer and is not counted;
 * on wasm and cpu every read is a copy of host memory and is counted.
 */
import * as tf from '@tensorflow/tfjs';

interface Readable {
  read(dataId: object): Promise<unknown>;
  readSync(dataId: object): unknown;
  /** webgpu's tensor records: `values` is set while the data is (also) on the host. */
  tensorMap?: { get(dataId: object): { values?: unknown } | undefined };
}

/** Run fn with the active backend's reads counted; returns its result and the count. */
export function countReads<T>(fn: () => T): { result: T; reads: number } {
  const c = instrument();
  try {
    return { result: fn(), reads: c.reads() };
  } finally {
    c.restore();
  }
}

/** Wrap the active backend's read and readSync; reads() so far, restore() puts them back. */
function instrument(): { reads(): number; restore(): void } {
  const b = tf.backend() as unknown as Readable;
  const read = b.read;
  const readSync = b.readSync;
  let reads = 0;
  const onHost = (dataId: object): boolean => b.tensorMap?.get(dataId)?.values != null;
  b.read = function (this: Readable, dataId: object) {
    if (!onHost(dataId)) reads++;
    return read.call(this, dataId);
  };
  b.readSync = function (this: Readable, dataId: object) {
    if (!onHost(dataId)) reads++;
    return readSync.call(this, dataId);
  };
  return {
    reads: () => reads,
    restore: () => {
      b.read = read;
      b.readSync = readSync;
    },
  };
}

/** countReads for an async function (a data() read counts when it starts). */
export async function countReadsAsync<T>(fn: () => Promise<T>): Promise<{ result: T; reads: number }> {
  const c = instrument();
  try {
    const result = await fn();
    return { result, reads: c.reads() };
  } finally {
    c.restore();
  }
}
