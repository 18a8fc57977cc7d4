// The example gallery: scenes shipped in public/examples/ (tools/synth/write-examples.ts writes them
// and examples.json), each with a prompt glip-nano answers. One click hands its image and prompt over.
import type { Example } from '../../tools/synth/examples.ts';

export type { Example };

const EXAMPLES = 'examples/';

/** Lists the examples as buttons in `list`; `onPick` gets the example and its image's bytes. Resolves to the examples shown. */
export async function showGallery(list: HTMLElement, onPick: (example: Example, image: Blob) => void, onError: (message: string) => void): Promise<Example[]> {
  const base = new URL(EXAMPLES, document.baseURI);
  const response = await fetch(new URL('examples.json', base)).catch(() => null);
  if (!response?.ok) {
    list.hidden = true;
    return [];
  }
  const examples = (await response.json()) as Example[];
  list.replaceChildren(
    ...examples.map((example, i) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'example';
      button.title = `Detect “${example.prompt}” in this scene`;
      const thumbnail = document.createElement('img');
      thumbnail.src = new URL(example.file, base).href;
      thumbnail.alt = '';
      thumbnail.width = thumbnail.height = 72;
      const caption = document.createElement('span');
      caption.textContent = `Example ${i + 1}: ${example.prompt}`;
      button.append(thumbnail, caption);
      button.setAttribute('aria-label', `Try example ${i + 1}: ${example.alt}, prompt “${example.prompt}”`);
      button.addEventListener('click', () => {
        fetch(new URL(example.file, base))
          .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(`HTTP ${r.status}`))))
          .then((image) => onPick(example, image), (e: unknown) => onError(`Could not load example ${i + 1} (${example.file}): ${e instanceof Error ? e.message : String(e)}`));
      });
      item.append(button);
      return item;
    }),
  );
  return examples;
}
