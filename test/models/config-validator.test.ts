import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ConfigCheck, checkModelConfig, checkModelConfigText } from '../../models/config-validator';
import { repoPath } from '../../kernel/paths';

// Tests build configs freely, including wrong shapes.
type Config = Record<string, any>;

/** The MNIST tutorial's config: one multipart api, as the quick start writes it. */
function mnist(): Config {
  return {
    model_algorithm: 'image_classification',
    model_type: 'TensorFlow',
    runtime: 'python3.6',
    metrics: { f1: 0.98, recall: 0.98, precision: 0.98, accuracy: 0.98 },
    apis: [
      {
        protocol: 'http',
        url: '/',
        method: 'post',
        request: { 'Content-type': 'multipart/form-data', data: { type: 'object', properties: { images: { type: 'file' } } } },
        response: {
          'Content-type': 'application/json',
          data: {
            type: 'object',
            required: ['predicted_label', 'scores'],
            properties: {
              predicted_label: { type: 'string' },
              scores: { type: 'array', items: [{ type: 'array', minItems: 2, maxItems: 2, items: [{ type: 'string' }, { type: 'number' }] }] },
            },
          },
        },
      },
    ],
    dependencies: [{ installer: 'pip', packages: [{ package_name: 'numpy', package_version: '1.15.0', restraint: 'ATLEAST' }] }],
  };
}

const MODEL_TYPES = ['TensorFlow', 'MXNet', 'Caffe', 'Spark_MLlib', 'Scikit_Learn', 'XGBoost', 'PyTorch', 'MindSpore', 'Image'];

function changed(change: (c: Config) => unknown): Config {
  const c = mnist();
  change(c);
  return c;
}

/** The one problem of `check`, which must be at `path` and say every one of `words`. */
function assertOneProblem(check: ConfigCheck, path: string, ...words: string[]): void {
  assert.equal(check.valid, false);
  assert.equal(check.config, undefined);
  assert.deepEqual(
    check.problems.map((p) => p.path),
    [path],
    JSON.stringify(check.problems),
  );
  for (const w of words) assert.ok(check.problems[0].message.includes(w), `"${check.problems[0].message}" says ${w}`);
}

function assertWarning(check: ConfigCheck, path: string, ...words: string[]): void {
  assert.equal(check.valid, true, JSON.stringify(check.problems));
  const warning = check.warnings.find((w) => w.path === path);
  assert.ok(warning, `a warning at ${path} among ${JSON.stringify(check.warnings)}`);
  for (const w of words) assert.ok(warning.message.includes(w), `"${warning.message}" says ${w}`);
}

describe('model config.json validator', () => {
  describe('accepts', () => {
    it('accepts the MNIST tutorial config without warnings and returns it normalised', () => {
      const check = checkModelConfig(mnist());
      assert.deepEqual(check.problems, []);
      assert.deepEqual(check.warnings, []);
      assert.deepEqual(check.config, mnist());
    });

    it('fills in the documented defaults: api protocol http, url /, method post, Content-type application/json', () => {
      const check = checkModelConfig({ model_algorithm: 'predict_analysis', model_type: 'XGBoost', apis: [{ request: {} }] });
      assert.deepEqual(check.config, {
        model_algorithm: 'predict_analysis',
        model_type: 'XGBoost',
        apis: [
          {
            protocol: 'http',
            url: '/',
            method: 'post',
            request: { 'Content-type': 'application/json' },
            response: { 'Content-type': 'application/json' },
          },
        ],
        dependencies: [],
      });
    });

    it('reads a package whose package_version and restraint are both empty as "any version"', () => {
      const check = checkModelConfig(changed((c) => c.dependencies[0].packages.push({ package_name: 'h5py', package_version: '', restraint: '' })));
      assert.deepEqual(check.config?.dependencies[0].packages[1], { package_name: 'h5py' });
    });

    it('accepts several apis with their own paths for an Image model', () => {
      const check = checkModelConfig({
        model_algorithm: 'greeter',
        model_type: 'Image',
        swr_location: 'swr.example.com/org/greeter:1.0',
        apis: [{ url: '/' }, { url: '/greet' }, { url: '/greet', method: 'get' }],
        health: { url: '/health', initial_delay_seconds: 30, timeout_seconds: 5 },
      });
      assert.deepEqual(check.problems, []);
      assert.deepEqual(check.warnings, []);
      assert.deepEqual(check.config?.health, { url: '/health', protocol: 'http', initial_delay_seconds: 30, timeout_seconds: 5 });
    });

    it('reads health seconds written as strings, as the documentation types them', () => {
      const check = checkModelConfig(changed((c) => (c.health = { url: '/health', initial_delay_seconds: '30', timeout_seconds: '5' })));
      assert.deepEqual(check.warnings, []);
      assert.equal(check.config?.health?.initial_delay_seconds, 30);
    });

    it('keeps metrics other than the four ModelArts shows', () => {
      assert.equal(checkModelConfig(changed((c) => (c.metrics = { MIoU: 0.76 }))).config?.metrics?.MIoU, 0.76);
    });

    it('reads method, protocol and media types case-insensitively, as HTTP does, without a warning', () => {
      const check = checkModelConfig(
        changed((c) => {
          c.apis[0].method = 'POST';
          c.apis[0].protocol = 'HTTP';
          c.apis[0].response['Content-type'] = 'Application/JSON; charset=utf-8';
        }),
      );
      assert.deepEqual(check.warnings, []);
      assert.deepEqual(check.config?.apis[0].method, 'post');
      assert.deepEqual(check.config?.apis[0].response['Content-type'], 'application/json');
    });
  });

  describe('rejects', () => {
    /** [behaviour, change to the MNIST config, path of the one problem, words the message must say]. */
    const rejections: [string, (c: Config) => unknown, string, ...string[]][] = [
      ['a config.json without model_algorithm', (c) => delete c.model_algorithm, 'model_algorithm', 'is required', 'image_classification'],
      ['a model_algorithm that contains <', (c) => (c.model_algorithm = 'digits<10'), 'model_algorithm', 'must not contain', '<'],
      ['a model_algorithm of 37 characters', (c) => (c.model_algorithm = `a${'b'.repeat(36)}`), 'model_algorithm', 'at most 36'],
      ['a model_algorithm that does not start with a letter', (c) => (c.model_algorithm = '2d_detection'), 'model_algorithm', 'start with a letter'],
      ['an unknown model_type and lists the valid ones', (c) => (c.model_type = 'Keras'), 'model_type', ...MODEL_TYPES],
      ['a config.json whose apis url is not "/" for a model that is not Image', (c) => (c.apis[0].url = '/predict'), 'apis[0].url', '"/"', 'Image'],
      ['two apis for a model that is not Image', (c) => c.apis.push({ ...c.apis[0] }), 'apis', 'at most one', 'Image'],
      [
        'a request Content-type text/plain and names the two that work',
        (c) => (c.apis[0].request['Content-type'] = 'text/plain'),
        'apis[0].request.Content-type',
        'application/json',
        'multipart/form-data',
      ],
      [
        'a Content-type that could be either of the two (multipart/json)',
        (c) => (c.apis[0].response['Content-type'] = 'multipart/json'),
        'apis[0].response.Content-type',
      ],
      [
        'a file field in a request sent as application/json',
        (c) => (c.apis[0].request['Content-type'] = 'application/json'),
        'apis[0].request.Content-type',
        'multipart/form-data',
        'apis[0].request.data.properties.images',
      ],
      [
        'a file field in a request without Content-type, which means application/json',
        (c) => delete c.apis[0].request['Content-type'],
        'apis[0].request.Content-type',
        'application/json is assumed',
      ],
      ['multipart/form-data for a machine-learning engine', (c) => (c.model_type = 'Scikit_Learn'), 'apis[0].request.Content-type', 'application/json', 'Scikit_Learn'],
      ['request data that is not an object', (c) => (c.apis[0].request.data = 'images'), 'apis[0].request.data', 'JSON Schema object'],
      [
        'a data type that is not a JSON type nor file',
        (c) => (c.apis[0].request.data.properties.images.type = 'image'),
        'apis[0].request.data.properties.images.type',
        '"image" is not a type',
        'file',
      ],
      [
        'a file type in response data',
        (c) => (c.apis[0].response.data.properties.predicted_label.type = 'file'),
        'apis[0].response.data.properties.predicted_label.type',
        'only in request data',
      ],
      [
        'response data that the JSON Schema meta-schema refuses, at the keyword',
        (c) => (c.apis[0].response.data.properties.scores.minItems = -1),
        'apis[0].response.data.properties.scores.minItems',
        '>= 0',
      ],
      [
        'response data with a pattern that is no regular expression',
        (c) => (c.apis[0].response.data.properties.predicted_label.pattern = '[a-z'),
        'apis[0].response.data',
        'regular expression',
      ],
      ['installer conda', (c) => (c.dependencies[0].installer = 'conda'), 'dependencies[0].installer', 'must be pip'],
      [
        'a package_version without a restraint',
        (c) => delete c.dependencies[0].packages[0].restraint,
        'dependencies[0].packages[0].restraint',
        'is required when package_version is given',
        'EXACT',
      ],
      ['a package_version with an empty restraint', (c) => (c.dependencies[0].packages[0].restraint = ''), 'dependencies[0].packages[0].restraint', 'must not be empty'],
      [
        'restraint BETWEEN and names EXACT, ATLEAST and ATMOST',
        (c) => (c.dependencies[0].packages[0].restraint = 'BETWEEN'),
        'dependencies[0].packages[0].restraint',
        'EXACT',
        'ATLEAST',
        'ATMOST',
      ],
      [
        'a pip requirement written into package_name and says where the parts go',
        (c) => (c.dependencies[0].packages[0].package_name = 'numpy>=1.15.0'),
        'dependencies[0].packages[0].package_name',
        'package_version',
        'restraint',
      ],
      [
        'a package_version written as a number, which JSON may have shortened',
        (c) => (c.dependencies[0].packages[0].package_version = 1.1),
        'dependencies[0].packages[0].package_version',
        'string',
      ],
      ['a negative health timeout', (c) => (c.health = { url: '/health', timeout_seconds: -1 }), 'health.timeout_seconds', '0 or more'],
      ['metrics accuracy written as a string and says to drop the quotes', (c) => (c.metrics.accuracy = '0.98'), 'metrics.accuracy', 'number', 'without quotes'],
      ['an engine one letter away from a documented one: Caffe2 is not a misspelling of Caffe', (c) => (c.model_type = 'Caffe2'), 'model_type'],
    ];
    for (const [behaviour, change, path, ...words] of rejections) {
      it(`rejects ${behaviour}`, () => assertOneProblem(checkModelConfig(changed(change)), path, ...words));
    }

    it('accepts a model_algorithm of 36 characters', () => {
      assert.equal(checkModelConfig(changed((c) => (c.model_algorithm = `a${'b'.repeat(35)}`))).valid, true);
    });

    it('rejects an api url without a leading / for an Image model', () => {
      const image = { model_algorithm: 'a', model_type: 'Image', swr_location: 'swr.example.com/a/b:1' };
      assert.equal(checkModelConfig({ ...image, apis: [{ url: '/predict' }] }).valid, true);
      assertOneProblem(checkModelConfig({ ...image, apis: [{ url: 'predict' }] }), 'apis[0].url', 'start with /');
    });

    it('rejects two apis with the same method and url for an Image model', () => {
      const config = { model_algorithm: 'a', model_type: 'Image', swr_location: 's', apis: [{ url: '/x' }, { url: '/x', method: 'POST' }] };
      assertOneProblem(checkModelConfig(config), 'apis[1]', 'repeats apis[0]');
    });

    it('rejects a config.json that is not an object', () => {
      assertOneProblem(checkModelConfig([mnist()]), '(root)', 'JSON object');
    });

    it('reports every problem at once, at the paths the author wrote', () => {
      const check = checkModelConfig(
        changed((c) => {
          c.model_type = 'Keras';
          c.apis[0].procotol = 'ftp';
          delete c.apis[0].protocol;
          c.dependencies[0].installer = 'conda';
        }),
      );
      assert.deepEqual(check.problems.map((p) => p.path).sort(), ['apis[0].procotol', 'dependencies[0].installer', 'model_type']);
    });
  });

  describe('tolerates with a warning', () => {
    it('reads procotol as protocol and says to write protocol', () => {
      const check = checkModelConfig(changed((c) => ((c.apis[0].procotol = 'https'), delete c.apis[0].protocol)));
      assertWarning(check, 'apis[0].procotol', 'write "protocol"');
      assert.equal(check.config?.apis[0].protocol, 'https');
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
