/**
 * The native backend's storage: the cpu backend's (typed arrays in JavaScript memory),
 * plus reuse of the large arrays its kernels write. A new large Float32Array costs a
 * pass of page faults and zeroing before a kernel writes a value into it; a training
 * step of the DigitClassifier allocates several hundred megabytes of them (the dense
 * layer's weight gradient alone is 100 MB), every step, in the same sizes. An array a
 * native kernel allocated goes back to a pool when its tensor is disposed — unless
 * anything else may still see it: a read (dataSync/data hand out the array itself),
 * or another tensor stored on the same memory (a view, as the cpu Slice kernel makes).
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { DataId, DataType } from '@tensorflow/tfjs';

/** Smaller arrays come from V8's heap cheaply; pooling them is not worth the bookkeeping. */
const MIN_POOLED_BYTES = 64 * 1024;
/** The most memory the pool keeps for later. */
const MAX_POOLED_BYTES = 512 * 1024 * 1024;
/** The pool is released to the garbage collector after this long without an allocation. */
const IDLE_RELEASE_MS = 5_000;

type Values = Parameters<MathBackendCPU['write']>[0];

export class NativeStorage extends MathBackendCPU {
  private readonly free = new Map<number, Float32Array[]>();
  private pooledBytes = 0;
  /** Arrays from allocate() that nothing but their own tensor can see: reusable. */
  private readonly reusable = new WeakSet<Float32Array>();
  /** Each pooled array by its memory, to notice views of it. */
  private readonly owners = new WeakMap<ArrayBufferLike, Float32Array>();
  private readonly stored = new WeakSet<Float32Array>();
  private idleTimer?: NodeJS.Timeout;
  /** Large arrays handed out: new, and reused from the pool. */
  readonly arrays = { fresh: 0, reused: 0 };

  /** An array of `length` floats for a kernel to overwrite entirely (its old contents are garbage). */
  allocate(length: number): Float32Array {
    if (length * 4 < MIN_POOLED_BYTES) return new Float32Array(length);
    this.releaseWhenIdle();
    const reused = this.free.get(length)?.pop();
    if (reused) {
      this.arrays.reused++;
      this.pooledBytes -= reused.byteLength;
      this.reusable.add(reused);
      return reused;
    }
    const fresh = new Float32Array(length);
    this.arrays.fresh++;
    this.reusable.add(fresh);
    this.owners.set(fresh.buffer, fresh);
    return fresh;
  }

  override write(values: Values, shape: number[], dtype: DataType): DataId {
    if (ArrayBuffer.isView(values)) this.noteStored(values);
    return super.write(values, shape, dtype);
  }

  override readSync(dataId: DataId): ReturnType<MathBackendCPU['readSync']> {
    this.expose(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const released = super.disposeData(dataId, force);
    if (released && !this.data.has(dataId) && values instanceof Float32Array && this.reusable.has(values)) this.recycle(values);
    return released;
  }

  /** Stored a second time, or as a view of a pooled array: that array is never reused. */
  private noteStored(values: ArrayBufferView): void {
    const owner = this.owners.get(values.buffer);
    if (!owner) return;
    if (owner !== values || this.stored.has(owner)) this.reusable.delete(owner);
    this.stored.add(owner);
  }

  private expose(values: unknown): void {
    if (!(values instanceof Float32Array)) return;
    const owner = this.owners.get(values.buffer);
    if (owner) this.reusable.delete(owner);
  }

  private recycle(values: Float32Array): void {
    this.stored.delete(values);
    if (this.pooledBytes + values.byteLength > MAX_POOLED_BYTES) {
      this.reusable.delete(values);
      return;
    }
    const list = this.free.get(values.length) ?? [];
    list.push(values);
    this.free.set(values.length, list);
    this.pooledBytes += values.byteLength;
  }

  private releaseWhenIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.free.clear();
      this.pooledBytes = 0;
    }, IDLE_RELEASE_MS);
    this.idleTimer.unref();
  }
}
