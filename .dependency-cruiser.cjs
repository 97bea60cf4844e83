// `npm run deps:check`: the layers of docs/architecture.md, enforced. Dependencies point one way:
//   packages/ ← kernel/ ← compute/ ← storage/ ← jobs/ ← models/ ← services/ ← platform/
// with client/ (the API client and CLI) beside them on the kernel alone, and samples/, bench/ and
// test/ on top. Type-only imports count: a type is a dependency too.

/** Every path an upper layer may import, as dependency-cruiser regular expressions. */
const LAYERS = {
  kernel: ['^kernel/'],
  compute: ['^kernel/', '^compute/'],
  storage: ['^kernel/', '^storage/'],
  jobs: ['^kernel/', '^compute/', '^storage/', '^jobs/'],
  models: ['^kernel/', '^compute/', '^storage/', '^jobs/', '^models/'],
  services: ['^kernel/', '^compute/', '^storage/', '^models/', '^services/'],
  client: ['^kernel/', '^client/'],
};

const SOURCE = '^(kernel|compute|storage|jobs|models|services|platform|client|samples|bench|test)/';

/** A layer may import only the layers below it (and npm packages, Node's modules, packages/). */
const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `${layer}-imports-only-below`,
  comment: `${layer}/ may import only ${allowed.map((a) => a.slice(1, -1)).join(', ')} (and packages/): see docs/architecture.md`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: { path: SOURCE, pathNot: allowed },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules that import each other (directly or round a loop) cannot be understood or moved apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'platform-imports-no-samples',
      comment: 'The platform never imports the samples; the entry point (platform/main.ts) runs their preparation step.',
      severity: 'error',
      from: { path: '^platform/', pathNot: '^platform/main\\.ts$' },
      to: { path: '^(samples|bench|test)/' },
    },
    {
      name: 'nothing-imports-tests-or-bench',
      comment: 'Tests and benchmarks sit on top; no product code depends on them.',
      severity: 'error',
      from: { path: '^(kernel|compute|storage|jobs|models|services|platform|client|samples)/' },
      to: { path: '^(bench|test)/' },
    },
    {
      name: 'packages-stand-alone',
      comment: 'Workspace packages (packages/*) import only Node, npm packages and each other by name.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: SOURCE },
    },
    {
      name: 'runtime-libraries-stay-small',
      comment: 'The libraries user code runs with (modelarts for boot files, model_service for hooks) import no area but their own.',
      severity: 'error',
      from: { path: '^(jobs/runtime|services/model_service)/' },
      to: { path: '^(storage|jobs|models|services|platform)/', pathNot: ['^jobs/runtime/', '^services/model_service/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/|^(data|coverage|test-output)/|^test/fixtures/|^bench/results/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
