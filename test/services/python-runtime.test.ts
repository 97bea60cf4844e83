import assert from 'node:assert/strict';
import { choosePython, PythonNotFound, PYTHON_CANDIDATES } from '../../kernel/process/python';
import { hookRequirements, importNameOf, installHint, missingMessage, requirementNotes, satisfies } from '../../services/python_hook/dependencies';
import { encodeFrame, FrameReader } from '../../services/python_hook/frames';

const pip = (...packages: Record<string, string>[]) => [{ installer: 'pip', packages }];

describe('the Python of user code and the packages it needs', () => {
  it('names a package by what `import` finds, not by its pip name', () => {
    assert.deepEqual(['Pillow', 'numpy', 'h5py', 'opencv-python', 'scikit-learn', 'PyYAML', 'my_Package.x'].map(importNameOf), ['PIL', 'numpy', 'h5py', 'cv2', 'sklearn', 'yaml', 'my_package_x']);
  });

  it('takes tensorflow as the platform\'s and the other pip packages as the worker\'s', () => {
    const reqs = hookRequirements([...pip({ package_name: 'numpy', restraint: 'ATLEAST', package_version: '1.15.0' }, { package_name: 'tensorflow' }, { package_name: 'Pillow' }), { installer: 'conda', packages: [{ package_name: 'x' }] }]);
    assert.deepEqual(reqs.required.map((r) => [r.name, r.module, r.restraint, r.version]), [['numpy', 'numpy', 'ATLEAST', '1.15.0'], ['Pillow', 'PIL', undefined, undefined]]);
    assert.deepEqual(reqs.provided.map((r) => r.name), ['tensorflow']);
  });

  it('says how to install a missing package: the Debian package where there is one, else pip for that Python', () => {
    const probe = { command: 'python3', executable: '/usr/bin/python3', version: '3.11.2', missing: { PIL: "ModuleNotFoundError: No module named 'PIL'", foo_bar: 'ModuleNotFoundError: x' }, versions: {} };
    const reqs = hookRequirements(pip({ package_name: 'numpy' }, { package_name: 'Pillow', restraint: 'ATLEAST', package_version: '5.2.0' }, { package_name: 'foo-bar' }));
    assert.equal(installHint(reqs.required[1], probe), "apt-get install python3-pil (Debian/Ubuntu, for /usr/bin/python3) or /usr/bin/python3 -m pip install 'Pillow>=5.2.0'");
    const message = missingMessage(reqs, probe)!;
    assert.match(message, /^config\.json dependencies do not import in \/usr\/bin\/python3 \(Python 3\.11\.2\): Pillow \(import PIL: ModuleNotFoundError: No module named 'PIL'\); install it with: apt-get install python3-pil/);
    assert.match(message, /foo-bar \(import foo_bar: ModuleNotFoundError: x\); install it with: \/usr\/bin\/python3 -m pip install 'foo-bar'/);
    assert.doesNotMatch(message, /numpy/);
    assert.equal(missingMessage(reqs, { ...probe, missing: {} }), undefined);
  });

  it('notes versions outside a restraint without failing, since nothing is installed at deploy', () => {
    const reqs = hookRequirements(pip({ package_name: 'numpy', restraint: 'EXACT', package_version: '1.15.0' }, { package_name: 'h5py', restraint: 'ATMOST', package_version: '4' }));
    const notes = requirementNotes(reqs, { command: 'p', executable: '/p', version: '3', missing: {}, versions: { numpy: '1.24.2', h5py: '3.7.0' } });
    assert.deepEqual(notes, ['config.json asks for numpy==1.15.0; /p has 1.24.2, which is used as it is (nothing is installed at deploy)']);
    assert.deepEqual([satisfies('1.15', 'EXACT', '1.15.0'), satisfies('9.4.0', 'ATLEAST', '5.2.0'), satisfies('2.0', 'ATMOST', '1.99')], [true, true, false]);
  });

  it('picks a Python that imports what is asked for, the system one first', async function () {
    this.timeout(60_000);
    const any = await choosePython(undefined);
    assert.equal(any.command, PYTHON_CANDIDATES.find((c) => c === any.command));
    assert.match(any.version, /^3\.\d+\.\d+$/);
    const withNumpy = await choosePython(undefined, { modules: ['numpy', 'PIL'], distributions: ['numpy'] });
    assert.deepEqual(withNumpy.missing, {}, `this machine needs python3-numpy and python3-pil (${withNumpy.executable})`);
    assert.match(withNumpy.versions.numpy ?? '', /^\d+\.\d+/);
    const absent = await choosePython(undefined, { modules: ['modelarts_local_absent_module'] });
    assert.equal(absent.command, any.command, 'when none has it, the first that runs answers');
    assert.match(absent.missing.modelarts_local_absent_module, /ModuleNotFoundError/);
  });

  it('uses only the interpreter PYTHON names, and says so when it cannot run', async () => {
    await assert.rejects(choosePython('/nonexistent/python3'), (err: unknown) => err instanceof PythonNotFound && /\/nonexistent\/python3: not found\); set PYTHON to a Python 3 interpreter that exists/.test((err as Error).message));
  });

  it('frames headers and bytes however the socket splits them', () => {
    const files = [Buffer.from('first file'), Buffer.from([0, 1, 2, 255])];
    const stream = Buffer.concat([encodeFrame({ type: 'request', id: 1 }, files), encodeFrame({ type: 'request', id: 2 })]);
    const reader = new FrameReader(1024);
    const got = [...stream].flatMap((byte) => reader.push(Buffer.from([byte])));
    assert.deepEqual(got.map((f) => f.header), [{ type: 'request', id: 1 }, { type: 'request', id: 2 }]);
    assert.deepEqual(got[0].blob, Buffer.concat(files));
    assert.equal(got[1].blob.length, 0);
    assert.throws(() => new FrameReader(8).push(encodeFrame({ much: 'too long a header' })), /beyond what the protocol allows/);
  });
});
