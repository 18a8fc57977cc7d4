// `webglip <command> …`: each command is one module in ./commands exporting `run(argv): Promise<number>`.
import '@webglip/core/node-gpu';

const COMMANDS: Record<string, string> = {
  detect: 'detect an image with a model folder, print detections as JSON',
  convert: 'convert an official GLIP .pth (or .safetensors) into a web model folder',
  parity: 'compare every stage of a golden fixture case against the official tensors',
  eval: 'COCO-style AP of a model on a grounding data set',
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || !(name in COMMANDS) || name === '--help') {
    console.log('usage: webglip <command> [options]\n');
    for (const [cmd, what] of Object.entries(COMMANDS)) console.log(`  ${cmd.padEnd(8)} ${what}`);
    return name && name !== '--help' ? 2 : 0;
  }
  const command = (await import(`./commands/${name}.ts`)) as { run(argv: string[]): Promise<number> };
  return command.run(rest);
}

process.exitCode = await main(process.argv.slice(2));
