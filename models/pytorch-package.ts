/**
 * A PyTorch package: `model/<name>.pth` (or `.pt`, as torch.save writes either) beside the
 * customize_service.py whose PTServingBaseService class builds the network and loads the
 * weights itself. Nothing here runs torch: the file is checked to be what torch.save writes
 * (a zip archive, or the older pickle), and the hook runs in the user's Python at deploy.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../kernel/errors';
import type { LocalFile } from '../kernel/storage/object-store';
import type { PackagedModel } from './model-record';

const PYTORCH_EXTENSIONS = /\.(pth|pt)$/i;
/** The file model_path names when a package holds several. */
const PREFERRED = 'model.pth';

/** The package's PyTorch model file, or why there is none; several: the preferred one, with a warning. */
export async function inspectPyTorch(files: LocalFile[], sourceLabel: string): Promise<{ models: PackagedModel[]; problem?: string; warnings: Problem[] }> {
  const weights = files.filter((f) => PYTORCH_EXTENSIONS.test(f.relative)).sort((a, b) => a.relative.localeCompare(b.relative));
  if (!weights.length) {
    return { models: [], warnings: [], problem: `${sourceLabel} holds no PyTorch model file: put the weights torch.save wrote (e.g. model/mnist.pth, or .pt) beside customize_service.py` };
  }
  const chosen = weights.find((f) => path.basename(f.relative) === PREFERRED) ?? weights[0];
  const kind = await torchFileKind(chosen.absolute);
  if (!kind) {
    return { models: [], warnings: [], problem: `${sourceLabel}${chosen.relative} is not a file torch.save writes (neither its zip archive nor a pickle); save the model with torch.save(model.state_dict(), path)` };
  }
  const warnings =
    weights.length > 1
      ? [{ path: chosen.relative, message: `the package holds ${weights.length} PyTorch files (${weights.map((w) => w.relative).join(', ')}); model_path names ${chosen.relative}, and the hook finds the others beside it` }]
      : [];
  return { models: [{ path: chosen.relative, format: 'pytorch', inputs: [], outputs: [] }], warnings };
}

/** 'zip' (torch.save since PyTorch 1.6), 'pickle' (before), or undefined. */
async function torchFileKind(file: string): Promise<'zip' | 'pickle' | undefined> {
  const handle = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead >= 4 && buffer.readUInt32BE(0) === 0x504b0304) return 'zip';
    // A pickle starts with PROTO (0x80) and the protocol number.
    if (bytesRead >= 2 && buffer[0] === 0x80 && buffer[1] >= 2 && buffer[1] <= 5) return 'pickle';
    return undefined;
  } finally {
    await handle.close();
  }
}
