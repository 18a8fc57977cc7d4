// What `webglip detect` runs on: each argument is an image file, a folder (its PNG and JPEG files,
// not its subfolders) or a glob (`'shots/**/*.png'`, quoted so that the shell leaves it alone).
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ImageInputError } from '@webglip/core/engine';
import { expandGlob, isGlob } from './glob.ts';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

export interface ImageInputs {
  /** Every image, in argument order; each folder's and glob's images sorted by name; no duplicates. */
  files: string[];
  /** One argument naming one file: the output is that image's detections alone, not a per-image list. */
  single: boolean;
}

function isImageName(path: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(path).toLowerCase());
}

async function expandOne(arg: string): Promise<string[]> {
  if (isGlob(arg)) {
    const files = (await expandGlob(arg).catch(() => [])).filter(isImageName);
    if (files.length === 0) throw new ImageInputError(`no PNG or JPEG file matches ${arg}`);
    return files;
  }
  const info = await stat(arg).catch(() => undefined);
  if (info === undefined) throw new ImageInputError(`${arg}: no such file or folder`);
  if (!info.isDirectory()) return [arg];
  const files = (await readdir(arg, { withFileTypes: true })).filter((e) => e.isFile() && isImageName(e.name)).map((e) => join(arg, e.name)).sort();
  if (files.length === 0) throw new ImageInputError(`the folder ${arg} has no .png, .jpg or .jpeg file`);
  return files;
}

/** The images `args` name (see the file comment); an argument that names none is an ImageInputError. */
export async function expandImageInputs(args: string[]): Promise<ImageInputs> {
  const files: string[] = [];
  for (const arg of args) {
    for (const file of await expandOne(arg)) if (!files.includes(file)) files.push(file);
  }
  const single = args.length === 1 && files.length === 1 && files[0] === args[0];
  return { files, single };
}
