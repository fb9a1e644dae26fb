/**
 * The layers of the code, checked by `npm test` (test/architecture/layers.test.ts) and `npm run layers`.
 * Inside shared/: model → runtime → repositories → services → http, each importing only the layers
 * before it. Production code (functions/, shared/, infra/) never imports scripts/ or test/; scripts/
 * never imports test/. No cycles anywhere.
 */
const LAYERS = ['model', 'runtime', 'repositories', 'services', 'http'];

const layerRules = LAYERS.map((layer, index) => ({
  name: `shared-${layer}-imports-only-earlier-layers`,
  comment: `shared/${layer} may import only ${['the npm packages', ...LAYERS.slice(0, index + 1).map((l) => `shared/${l}`)].join(', ')}`,
  severity: 'error',
  from: { path: `^shared/${layer}/` },
  to: { path: `^(shared/(?!(${LAYERS.slice(0, index + 1).join('|')})/)|functions/|infra/|scripts/|test/)` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a cycle makes two modules one; split what both need into a lower layer',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      comment: 'folders depend one way: two folders importing each other are one folder, or want a third below both',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(shared|functions|scripts|infra)/' },
      to: { circular: true },
    },
    {
      name: 'only-repositories-talk-to-dynamodb',
      comment: 'every table read and write goes through shared/repositories (named access patterns, key builders)',
      severity: 'error',
      from: { path: '^(shared/(?!repositories/|runtime/)|functions/)' },
      to: { path: '^(shared/runtime/dynamodb\\.ts$|node_modules/@aws-sdk/(lib-dynamodb|client-dynamodb)/)' },
    },
    {
      name: 'shared-is-layered',
      comment: 'every file of shared/ sits in one of its layers',
      severity: 'error',
      from: { path: '^shared/(?!(model|runtime|repositories|services|http)/)' },
      to: {},
    },
    ...layerRules,
    {
      name: 'functions-are-thin',
      comment: 'a function entry composes shared/; it imports no other entry, and nothing of scripts/, test/ or infra/',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(functions/|scripts/|test/|infra/)' },
    },
    {
      name: 'infra-reads-declarations-only',
      comment: 'the CDK app reads the declarations (model) of shared/, never code that runs in a function',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^(shared/(?!model/)|functions/|scripts/|test/)' },
    },
    {
      name: 'scripts-never-import-tests',
      severity: 'error',
      from: { path: '^scripts/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-dev-dependencies-in-production',
      comment: 'what is bundled into a function may not need a devDependency',
      severity: 'error',
      from: { path: '^(functions|shared)/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.json'] },
  },
};
