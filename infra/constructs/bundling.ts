import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/**
 * How every function of the service is bundled: the one source for the CDK app (NodejsFunction's
 * `bundling`) and for the bundle benchmark (`scripts/bench/bundles.ts`, through `esbuildOptionsFor`),
 * so what is measured is what is deployed.
 */
/**
 * The AWS SDK's credential providers for anywhere but Lambda, left out of every bundle. A client's
 * default provider chain takes credentials from the environment first (`fromEnv`), and Lambda always
 * puts the function role's there (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the
 * chain never gets further in a function. The others — SSO, the shared ini files, a credential process,
 * a web identity token, the container and instance metadata endpoints — are reached only through
 * `import()` after `fromEnv` has failed; bundled, they (and the STS, SSO and sign-in clients they bring)
 * were 130 KB of every function's 620 KB, and a dynamic import makes esbuild keep every export of the
 * modules behind it, so they also kept more of `@smithy/core` and `@aws-sdk/core` than the clients use.
 * Left external, a function that somehow had no credentials in its environment would fail to load the
 * next provider (ERR_MODULE_NOT_FOUND) where it would have failed to find credentials.
 * test/architecture/bundles.test.ts checks that each is only ever imported dynamically, and that a bundled
 * client takes its credentials from the environment.
 */
export const LAMBDA_ONLY_EXTERNALS = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
] as const;

export const houseBundling = {
  minify: true,
  sourceMap: true,
  format: OutputFormat.ESM,
  target: 'node22',
  // The bundled SDK is the version the tests ran against, not whatever the runtime ships that month.
  bundleAwsSDK: true,
  // ... but not the credential providers a function never reaches (above).
  externalModules: [...LAMBDA_ONLY_EXTERNALS],
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
 * --sources-content=false --banner:js=... --main-fields=module,main`, and `--external:` for each of
 * `LAMBDA_ONLY_EXTERNALS`: the SDK itself is bundled). NodejsFunction writes `index.mjs` for ESM; so does
 * this, into `outdir`.
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
    external: [...options.externalModules],
    logLevel: 'warning',
  };
}
