import assert from 'node:assert/strict';
import fs from 'node:fs';
import { checkModelConfig, checkModelConfigText } from '../../models/config-validator';
import { repoPath } from '../../kernel/paths';
import { assertWarning, changed, mnist, MODEL_TYPES } from './helpers/configs';

describe('model config.json validator, on real packages\' slips and raw text', () => {
  describe('tolerates with a warning', () => {
    it('reads procotol as protocol and says to write protocol', () => {
      const check = checkModelConfig(changed((c) => ((c.apis[0].procotol = 'https'), delete c.apis[0].protocol)));
      assertWarning(check, 'apis[0].procotol', 'write "protocol"');
      assert.equal(check.config?.apis[0].protocol, 'https');
    });

    it('warns of a runtime that is none of ModelArts\' nor tfjs, naming the one a typo meant, and keeps it as written', () => {
      const check = checkModelConfig(changed((c) => (c.runtime = 'tfjss')));
      assert.equal(check.valid, true);
      assertWarning(check, 'runtime', 'did you mean "tfjs"');
      assert.equal(check.config?.runtime, 'tfjss');
      const odd = checkModelConfig(changed((c) => (c.runtime = 'my-own-runtime')));
      assertWarning(odd, 'runtime', 'is not a runtime ModelArts lists');
      for (const runtime of ['tfjs', 'python3.6-cuda10.0', 'tf1.13-python3.7-aiflow-gpu', 'pytorch1.5-python3.7', 'mindspore_1.10.0-cann_6.0.1-py_3.7-euler_2.8.3-aarch64']) {
        assert.deepEqual(checkModelConfig(changed((c) => (c.runtime = runtime))).warnings, [], runtime);
      }
    });

    it('reads Content-Type and content-type as Content-type', () => {
      const check = checkModelConfig(
        changed((c) => {
          c.apis[0].request['Content-Type'] = c.apis[0].request['Content-type'];
          delete c.apis[0].request['Content-type'];
          c.apis[0].response['content-type'] = c.apis[0].response['Content-type'];
          delete c.apis[0].response['Content-type'];
        }),
      );
      assertWarning(check, 'apis[0].request.Content-Type', '"Content-type"');
      assertWarning(check, 'apis[0].response.content-type', '"Content-type"');
      assert.equal(check.config?.apis[0].request['Content-type'], 'multipart/form-data');
      assert.equal(check.config?.apis[0].response['Content-type'], 'application/json');
    });

    it('reads applicaton/json and multipart/from-data as what they misspell', () => {
      const check = checkModelConfig(
        changed((c) => {
          c.apis[0].request['Content-type'] = 'multipart/from-data';
          c.apis[0].response['Content-type'] = 'applicaton/json';
        }),
      );
      assertWarning(check, 'apis[0].request.Content-type', 'write "multipart/form-data"');
      assertWarning(check, 'apis[0].response.Content-type', 'write "application/json"');
      assert.equal(check.config?.apis[0].response['Content-type'], 'application/json');
    });

    it('reads a model_type, installer or restraint that differs only in case or separators', () => {
      const check = checkModelConfig(
        changed((c) => {
          c.model_type = 'tensorflow';
          c.dependencies[0].installer = 'PIP';
          c.dependencies[0].packages[0].restraint = 'at_least';
        }),
      );
      assertWarning(check, 'model_type', 'write "TensorFlow"');
      assertWarning(check, 'dependencies[0].installer', 'write "pip"');
      assertWarning(check, 'dependencies[0].packages[0].restraint', 'write "ATLEAST"');
    });

    it('reads "item" as "items" and Python type names as JSON types in data', () => {
      const check = checkModelConfig(
        changed((c) => {
          const scores = c.apis[0].response.data.properties.scores;
          scores.item = scores.items;
          delete scores.items;
          scores.type = 'list';
          c.apis[0].response.data.properties.predicted_label.type = 'str';
        }),
      );
      assertWarning(check, 'apis[0].response.data.properties.scores.item', 'write "items"');
      assertWarning(check, 'apis[0].response.data.properties.scores.type', 'write "array"');
      assertWarning(check, 'apis[0].response.data.properties.predicted_label.type', 'write "string"');
      assert.deepEqual(check.config?.apis[0].response.data, mnist().apis[0].response.data);
    });

    it('ignores an unknown top-level field and says where a misplaced one belongs', () => {
      const check = checkModelConfig(changed((c) => ((c.author = 'me'), (c.request = c.apis[0].request))));
      assertWarning(check, 'author', 'ignored');
      assertWarning(check, 'request', 'belongs in apis[].request');
      assert.equal('author' in (check.config ?? {}), false);
    });

    it('warns about a response nested in request, where a brace was closed too late', () => {
      const check = checkModelConfig(changed((c) => ((c.apis[0].request.response = c.apis[0].response), delete c.apis[0].response)));
      assertWarning(check, 'apis[0].request.response', 'apis[].response', 'brace');
    });

    it('warns about a JSON Schema keyword written beside data', () => {
      assertWarning(checkModelConfig(changed((c) => (c.apis[0].response.required = ['scores']))), 'apis[0].response.required', 'inside data');
    });

    it('warns about an Image model without swr_location, which ModelArts needs for an import from OBS', () => {
      const check = checkModelConfig({ model_algorithm: 'x', model_type: 'Image', apis: [{ url: '/' }] });
      assertWarning(check, 'swr_location', 'SWR', 'OBS');
    });

    it('warns that dependencies of an Image model are not installed', () => {
      assertWarning(checkModelConfig(changed((c) => Object.assign(c, { model_type: 'Image', swr_location: 's' }))), 'dependencies', 'not installed');
    });

    it('warns that a restraint without a package_version is ignored', () => {
      assertWarning(checkModelConfig(changed((c) => delete c.dependencies[0].packages[0].package_version)), 'dependencies[0].packages[0].restraint', 'ignored');
    });
  });

  describe('reads the text of config.json', () => {
    it('turns a JSON syntax error into one problem at its line and column', () => {
      const text = '{\n  "model_algorithm": "a",\n  "model_type": "TensorFlow",\n}\n';
      assert.deepEqual(checkModelConfigText(text).problems, [
        { path: '(root)', message: 'line 3, column 29: a comma must be followed by another field; delete this trailing comma' },
      ]);
    });

    it('names the usual reasons hand-written JSON fails', () => {
      const cases: [string, string][] = [
        ['{"a": 1 // why\n}', 'line 1, column 9: comments are not allowed'],
        ["{'model_type': 'x'}", 'line 1, column 2: strings and names must be in double quotes'],
        ['{"tunable": True}', 'line 1, column 13: True is not JSON; write true'],
        ['{"a": 1 "b": 2}', 'line 1, column 9: a comma is missing'],
        ['{"a": [1, 2}', 'line 1, column 12: expected a comma or ]'],
        ['{"a": 1', 'line 1, column 8: the text ends before the JSON is complete'],
        ['', 'line 1, column 1: the file is empty'],
      ];
      for (const [text, start] of cases) {
        const check = checkModelConfigText(text);
        assert.equal(check.problems.length, 1, text);
        assert.ok(check.problems[0].message.startsWith(start), `${text} -> ${check.problems[0].message}`);
      }
    });

    it('warns about a key written twice and uses the last, as JSON.parse does', () => {
      const check = checkModelConfigText('{"model_algorithm": "a", "model_type": "MXNet",\n "model_type": "TensorFlow"}');
      assertWarning(check, 'model_type', 'twice', 'line 2, column 2');
      assert.equal(check.config?.model_type, 'TensorFlow');
    });

    it('ignores a UTF-8 byte order mark with a warning', () => {
      const check = checkModelConfigText(`\ufeff${JSON.stringify(mnist())}`);
      assertWarning(check, '(root)', 'byte order mark');
    });
  });

  it('keeps the schema file valid JSON Schema with the documented model types', () => {
    const schema = JSON.parse(fs.readFileSync(repoPath('schemas', 'model-config.schema.json'), 'utf8'));
    assert.deepEqual(schema.properties.model_type.enum, MODEL_TYPES);
    assert.deepEqual(schema.required, ['model_algorithm', 'model_type']);
  });
});
