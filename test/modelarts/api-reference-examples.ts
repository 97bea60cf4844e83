/**
 * The request examples of ModelArts' API reference, as published, for every call
 * docs/modelarts-api.md lists as covered. Sources: the Open Telekom Cloud ModelArts API
 * reference (github.com/opentelekomcloud-docs/modelarts, commit 1ba1873d, api-ref/source/…) and,
 * for CreateModel, Huawei Cloud's (github.com/huaweicloudDocs/modelarts, cn.zh-cn/API参考/导入模型.md).
 * Bodies are as the pages print them; tests substitute the endpoint, the project id and, where a
 * page names an example resource (a model id "xxxx", a job UUID), one the test created.
 */

/** api-ref/source/calling_apis/making_an_api_request.rst: "POST https://{iam-endpoint}/v3/auth/tokens". */
export const GET_TOKEN = {
  auth: {
    identity: {
      methods: ['password'],
      password: {
        user: {
          name: 'user_name',
          password: 'user_password',
          domain: {
            name: 'domain_name',
          },
        },
      },
    },
    scope: {
      project: {
        name: 'project_name',
      },
    },
  },
};

/** api-ref/source/training_management/creating_a_training_job.rst, first example: a saved algorithm by id. */
export const CREATE_TRAINING_JOB_BY_ALGORITHM_ID = {
  kind: 'job',
  metadata: {
    name: 'TestModelArtsJob',
    description: 'This is a ModelArts job',
  },
  algorithm: {
    id: '3f5d6706-7b67-408d-8ba0-ec08048c45ed',
    parameters: [
      { name: 'input_dir', value: 'obs://test/moxingtest-dir/' },
      { name: 'input_file', value: 'obs://test/moxingtest/' },
      { name: 'large_file_method', value: '1' },
    ],
    policies: {
      auto_search: null,
    },
    environments: {},
  },
  spec: {
    resource: {
      flavor_id: 'modelarts.p3.large.public.free',
      node_count: 1,
    },
    log_export_path: {
      obs_url: '',
    },
  },
};

/** The same page, second example: a custom image, a dedicated pool and an NFS volume. */
export const CREATE_TRAINING_JOB_CUSTOM_IMAGE = {
  kind: 'job',
  metadata: {
    name: 'TestModelArtsJob2',
    description: 'This is a ModelArts job2',
  },
  algorithm: {
    engine: {
      image_url: 'xxxxxxxx/fastseq:1.2',
    },
    command: 'cd /home/ma-user/ddp_demo && sh run_ddp.sh',
    parameters: [],
    policies: {
      auto_search: null,
    },
    environments: {
      NCCL_DEBUG: 'INFO',
      NCCL_IB_DISABLE: '0',
    },
  },
  spec: {
    resource: {
      flavor_id: 'modelarts.pool.visual.xlarge',
      node_count: 1,
      pool_id: 'poolfaf38d76',
    },
    log_export_path: {
      obs_url: '/training-test/limou/ddp-demo-log/',
    },
    volumes: [
      {
        nfs: {
          nfs_server_path: '192.168.0.82:/',
          local_path: '/home/ma-user/nfs/',
          read_only: false,
        },
      },
    ],
  },
};

/** api-ref/source/training_management/querying_a_training_job_list.rst: "POST …/training-job-searches?limit=1". */
export const LIST_TRAINING_JOBS = {
  offset: 0,
  limit: 1,
  filters: [
    { key: 'name', operator: 'like', value: ['trainjob'] },
    { key: 'create_time', operator: 'between', value: ['', ''] },
    { key: 'phase', operator: 'in', value: [''] },
    { key: 'algorithm_name', operator: 'like', value: [''] },
    { key: 'kind', operator: 'in', value: [] },
    { key: 'user_id', operator: 'in', value: [''] },
    { key: 'runtime_type', operator: 'in', value: ['debug'] },
  ],
};

/** api-ref/source/training_management/terminating_a_training_job.rst: "POST …/training-jobs/cf63aba9-…/actions". */
export const TERMINATE_TRAINING_JOB = {
  action_type: 'terminate',
};

/** Huawei Cloud, cn.zh-cn/API参考/导入模型.md, 请求示例: "POST https://endpoint/v1/{project_id}/models". */
export const CREATE_MODEL = {
  model_name: 'mnist',
  model_version: '1.0.0',
  source_location: 'https://models.obs.cn-north-4.myhuaweicloud.com/mnist',
  source_job_id: '55',
  source_job_version: 'V100',
  model_type: 'TensorFlow',
  runtime: 'python2.7',
  description: 'mnist model',
  execution_code: 'https://testmodel.obs.cn-north-4.myhuaweicloud.com/customize_service.py',
  input_params: [{ url: '/v1/xxx/image', protocol: 'http', method: 'post', param_name: 'image_url', param_type: 'string', min: 0, max: 9, param_desc: 'http://test/test.jpeg' }],
  output_params: [{ url: '/v1/xxx/image', protocol: 'http', method: 'post', param_name: 'face_location', param_type: 'box', param_desc: 'face_location param value description' }],
  dependencies: [{ installer: 'pip', packages: [{ package_name: 'numpy', package_version: '1.5.0', restraint: 'ATLEAST' }] }],
  model_algorithm: 'object_detection',
  model_metrics: '{"f1":0.52381,"recall":0.666667,"precision":0.466667,"accuracy":0.625}',
  apis: [
    {
      url: '/v1/xxx/image',
      protocol: 'http',
      method: 'post',
      input_params: { type: 'object', properties: { image_url: { type: 'string' } } },
      output_params: { type: 'object', properties: { face_location: { type: 'box' } } },
    },
  ],
};

/** api-ref/source/service_management/deploying_services.rst: "POST https://{endpoint}/v1/{project_id}/services", its examples in order. */
export const CREATE_SERVICE = {
  realTime: (modelId: string) => ({
    infer_type: 'real-time',
    service_name: 'mnist',
    description: 'mnist service',
    config: [{ specification: 'modelarts.vm.cpu.2u', weight: 100, model_id: modelId, instance_count: 1 }],
  }),
  twoVersions: (first: string, second: string) => ({
    service_name: 'mnist',
    description: 'mnist service',
    infer_type: 'real-time',
    config: [
      { model_id: first, weight: '70', specification: 'modelarts.vm.cpu.2u', instance_count: 1, envs: { model_name: 'mxnet-model-1', load_epoch: '0' } },
      { model_id: second, weight: '30', specification: 'modelarts.vm.cpu.2u', instance_count: 1 },
    ],
  }),
  customSpec: (modelId: string) => ({
    service_name: 'realtime-demo',
    description: '',
    infer_type: 'real-time',
    cluster_id: '8abf68a969c3cb3a0169c4acb24b0000',
    config: [{ model_id: modelId, weight: '100', cluster_id: '8abf68a969c3cb3a0169c4acb24b0000', specification: 'custom', custom_spec: { cpu: 1.5, memory: 7500 }, instance_count: 1 }],
  }),
  autoStop: (modelId: string) => ({
    service_name: 'service-demo',
    description: 'demo',
    infer_type: 'real-time',
    config: [{ model_id: modelId, weight: '100', specification: 'modelarts.vm.cpu.2u', instance_count: 1 }],
    schedule: [{ type: 'stop', time_unit: 'HOURS', duration: 1 }],
  }),
  batchFile: {
    service_name: 'batchservicetest',
    description: '',
    infer_type: 'batch',
    cluster_id: '8abf68a969c3cb3a0169c4acb24b****',
    config: [
      {
        model_id: '598b913a-af3e-41ba-a1b5-bf065320f1e2',
        specification: 'modelarts.vm.cpu.2u',
        instance_count: 1,
        src_path: 'https://infers-data.obs.xxxxx.com/xgboosterdata/',
        dest_path: 'https://infers-data.obs.xxxxx.com/output/',
        req_uri: '/',
        mapping_type: 'file',
      },
    ],
  },
  edge: {
    service_name: 'service-edge-demo',
    description: '',
    infer_type: 'edge',
    config: [{ model_id: 'eb6a4a8c-5713-4a27-b8ed-c7e694499af5', specification: 'custom', instance_count: 1, custom_spec: { cpu: 1.5, memory: 7500 }, envs: {}, nodes: ['2r8c4fb9-t497-40u3-89yf-skui77db0472'] }],
  },
};

/** api-ref/source/service_management/updating_service_configurations.rst: "PUT …/services/{service_id}". */
export const UPDATE_SERVICE = (modelId: string) => ({
  description: '',
  status: 'running',
  config: [{ model_id: modelId, weight: '100', specification: 'modelarts.vm.cpu.2u', instance_count: 1 }],
});
