import { parseArgs, type ParseArgsConfig } from 'node:util';
import { attachOrUseEnvironment } from '../local/attach';
import { parseStage, useDeployedStage } from './deployed-stage';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O & { stage: { type: 'string' }; help: { type: 'boolean' } } }>>['values'];

/**
 * The shape every script that works on the data shares (the migrations, the aggregates rebuild): its
 * options plus `--stage` and `--help`, the running local stack or a deployed stage as the target, and a
 * failure said in one line with exit code 1. `run` is called once the target is chosen: it imports what
 * talks to DynamoDB then, as the DynamoDB client takes the target's endpoint when it loads.
 * `check` looks at the options first, before anything is attached.
 */
export function stageScript<O extends Options>(
  usage: string,
  options: O,
  run: (values: Values<O>, target: string) => Promise<void>,
  check: (values: Values<O>) => void = () => undefined,
): void {
  const main = async () => {
    const { values } = parseArgs({ options: { ...options, stage: { type: 'string' }, help: { type: 'boolean' } } as O & { stage: { type: 'string' }; help: { type: 'boolean' } } });
    const common = values as { stage?: string; help?: boolean };
    if (common.help) {
      console.log(usage);
      return;
    }
    check(values as Values<O>);
    const target = common.stage ? await useDeployedStage(parseStage(common.stage)) : attachOrUseEnvironment();
    await run(values as Values<O>, target);
  };
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
