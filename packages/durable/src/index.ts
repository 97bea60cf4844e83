export { fsyncPath, isErrno, mkdirIfAbsent, moveIntoPlace, removeTree, stageFile, uniqueName, unlinkIfPresent, writeFileAtomic } from './durable-fs';
export type { FileContent, StagedFile } from './durable-fs';
export { KeyedLock } from './keyed-lock';
