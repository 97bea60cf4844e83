import assert from 'node:assert/strict';
import { ClientError } from '../../client/api-client';
import { UsageError } from '../../client/cli/args';
import { ModelFolderError } from '../../compute/model-io';
import { ConversionError } from '../../compute/savedmodel/conversion-error';
import { TableError } from '../../compute/savedmodel/leveldb-table';
import { BundleError } from '../../compute/savedmodel/tensor-bundle';
import { AbnormalEnd } from '../../jobs/nodes/executor';
import { IdxError, parseIdx } from '../../jobs/runtime/idx';
import { SlurmError } from '../../kernel/cluster/slurm';
import { loadConfig } from '../../kernel/config';
import { ConfigError } from '../../kernel/config-reader';
import { ApiError, PlatformError } from '../../kernel/errors';
import { CorruptImageError } from '../../kernel/image/errors';
import { PortsExhausted } from '../../kernel/net/port-range';
import { PythonNotFound } from '../../kernel/process/python';
import { StartError } from '../../kernel/process/supervise';
import { MissingDocError } from '../../kernel/records/doc-store';
import { ObsUrlError, parseObsUrl } from '../../kernel/storage/obs-url';
import { StorageError } from '../../kernel/storage/storage-error';
import { TaskFailure } from '../../services/batch/batch-task';
import { RowError } from '../../services/batch/csv-mapping';
import { InstanceUnavailable } from '../../services/batch/instance-requests';
import { HookError } from '../../services/model_service/hook-error';
import { InputError } from '../../services/model_service/input-error';
import { FlagError } from '../../services/tf_serving/standalone/flags';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('error classes', () => {
  it('print as their own class, not as Error, and extend the one base class', () => {
    const errors: Array<[string, Error]> = [
      ['ApiError', new ApiError('invalid_request', 'm')],
      ['ModelFolderError', new ModelFolderError('m')],
      ['ConversionError', new ConversionError('m')],
      ['HookError', new HookError('customize_service.js', 'm')],
      ['InputError', new InputError('m')],
      ['ConfigError', new ConfigError('PORT', 'a port', 'x')],
      ['StorageError', new StorageError('other', 'm')],
      ['ObsUrlError', new ObsUrlError('m')],
      ['CorruptImageError', new CorruptImageError('png', 'm')],
      ['MissingDocError', new MissingDocError('job', 'j1')],
      ['PythonNotFound', new PythonNotFound('m')],
      ['StartError', new StartError('m')],
      ['TableError', new TableError('m')],
      ['BundleError', new BundleError('m')],
      ['IdxError', new IdxError('m')],
      ['TaskFailure', new TaskFailure('m')],
      ['RowError', new RowError('m')],
      ['InstanceUnavailable', new InstanceUnavailable('m')],
      ['FlagError', new FlagError('m')],
      ['UsageError', new UsageError('m')],
      ['SlurmError', new SlurmError('m')],
      ['AbnormalEnd', new AbnormalEnd('m')],
      ['PortsExhausted', new PortsExhausted({ first: 9000, last: 9001 })],
      ['ClientError', new ClientError('m')],
    ];
    for (const [name, err] of errors) {
      assert.equal(err.name, name);
      assert.ok(String(err).startsWith(`${name}: `), String(err));
      assert.ok(err instanceof PlatformError, `${name} extends PlatformError`);
    }
  });

  it('keep their names when thrown by the code that raises them', () => {
    assert.equal((thrown(() => parseObsUrl('ftp://bucket/key')) as Error).name, 'ObsUrlError');
    assert.equal((thrown(() => loadConfig({ PORT: 'not-a-port' })) as Error).name, 'ConfigError');
    assert.equal((thrown(() => parseIdx(Buffer.from([1, 2, 3]))) as Error).name, 'IdxError');
  });
});
