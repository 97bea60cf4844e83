import assert from 'node:assert/strict';
import { checkModelConfig } from '../../models/config-validator';
import { assertOneProblem, changed, type Config, mnist, MODEL_TYPES } from './helpers/configs';

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
});
