// `webglip <command> …`: each command is one module in ./commands exporting `run(argv): Promise<number>`.
import '@webglip/core/node-gpu';

const COMMANDS: Record<string, string> = {
  detect: 'detect objects in images (a file, a folder or a glob) with a model folder: JSON or COCO results',
  convert: 'convert an official GLIP .pth (or .safetensors) into a web model folder',
  parity: 'compare every stage of a golden fixture case against the official tensors',
  eval: 'COCO-style AP of a model on a grounding data set',
  tune: 'prompt-tune a model on a COCO-format data set (GLIP\'s language_prompt_v2): a tuned-prompt file',
};

function printUsage(print: (line: string) => void): void {
  print('usage: webglip <command> [options]   (webglip <command> --help lists its options)\n');
  for (const [cmd, what] of Object.entries(COMMANDS)) print(`  ${cmd.padEnd(8)} ${what}`);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === 'help') {
    printUsage(console.log);
    return 0;
  }
  if (name === undefined || !Object.hasOwn(COMMANDS, name)) {
    console.error(name === undefined ? 'webglip: missing command' : `webglip: unknown command "${name}"`);
    printUsage(console.error);
    return 2;
  }
  const command = (await import(`./commands/${name}.ts`)) as { run(argv: string[]): Promise<number> };
  return command.run(rest);
}

process.exitCode = await main(process.argv.slice(2));
