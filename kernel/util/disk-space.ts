import fsp from 'node:fs/promises';
import { log } from '../log';

export interface DiskSpace {
  path: string;
  free_bytes?: number;
  total_bytes?: number;
  min_free_bytes: number;
  low: boolean;
}

/** Free space where the platform writes (metadata, job work dirs, the embedded store's objects). */
export async function dataDirSpace(dir: string, minFreeBytes: number): Promise<DiskSpace> {
  try {
    const s = await fsp.statfs(dir);
    const free = s.bavail * s.bsize;
    return { path: dir, free_bytes: free, total_bytes: s.blocks * s.bsize, min_free_bytes: minFreeBytes, low: free < minFreeBytes };
  } catch (err) {
    log.warn(`the free space of ${dir} cannot be read`, err);
    return { path: dir, min_free_bytes: minFreeBytes, low: false };
  }
}
