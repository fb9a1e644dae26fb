import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/**
 * How every function of the service is bundled: the one source for the CDK app (NodejsFunction's
 * `bundling`) and for the bundle benchmark (`scripts/bench/bundles.ts`, through `esbuildOptionsFor`),
 * so what is measured is what is deployed.
 */
export const houseBundling = {
  minify: true,
  sourceMap: true,
  format: OutputFormat.ESM,
  target: 'node22',
  // The bundled SDK is the version the tests ran against, not whatever the runtime ships that month.
  bundleAwsSDK: true,
  // Some CommonJS dependencies call require(); an ESM bundle has none unless it is made here.
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
  mainFields: ['module', 'main'],
  // The map still maps every stack frame (NODE_OPTIONS has --enable-source-maps), but without a copy of
  // every source file in it: 1 MB instead of 4, which Node reads and parses at each cold start.
  sourcesContent: false,
} as const satisfies BundlingOptions;

/**
 * The plain esbuild options NodejsFunction derives from `houseBundling` for one entry (the arguments it
 * passes esbuild's CLI: `--bundle --platform=node --format=esm --target=node22 --minify --sourcemap
 * --sources-content=false --banner:js=... --main-fields=module,main`, and no `--external` since the SDK is bundled). NodejsFunction
 * writes `index.mjs` for ESM; so does this, into `outdir`.
 */
export function esbuildOptionsFor(entry: string, outdir: string): BuildOptions & { entryPoints: string[]; outfile: string } {
  const options = houseBundling;
  return {
    entryPoints: [entry],
    outfile: `${outdir}/${options.format === OutputFormat.ESM ? 'index.mjs' : 'index.js'}`,
    bundle: true,
    platform: 'node',
    format: options.format === OutputFormat.ESM ? 'esm' : 'cjs',
    target: options.target,
    minify: options.minify,
    sourcemap: options.sourceMap,
    sourcesContent: options.sourcesContent,
    banner: { js: options.banner },
    mainFields: [...options.mainFields],
    external: [],
    logLevel: 'warning',
  };
}
