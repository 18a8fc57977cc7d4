// Every way the demo takes a still image — file picker, drag and drop, paste — delivered
// as one ImageBitmap to a single callback. Decoding goes through the engine's decoder: EXIF
// orientation honoured, huge images downscaled, unreadable files reported in words.
import { decodeImage, type DecodedImage } from '@webglip/core/client';

function toBitmap(pixels: DecodedImage): Promise<ImageBitmap> {
  return createImageBitmap(new ImageData(pixels.data as Uint8ClampedArray<ArrayBuffer>, pixels.width, pixels.height));
}

/** An image file's bytes, decoded as every source is (EXIF orientation, size cap). */
export function bitmapFromBlob(blob: Blob): Promise<ImageBitmap> {
  return decodeImage(blob).then(toBitmap);
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export interface ImageSourceElements {
  dropZone: HTMLElement;
  fileInput: HTMLInputElement;
}

export function watchImageSources(el: ImageSourceElements, onImage: (image: ImageBitmap) => void, onError: (message: string) => void): void {
  const fromBlob = (blob: Blob | null | undefined): void => {
    if (blob) bitmapFromBlob(blob).then(onImage, (e) => onError(message(e)));
  };

  el.fileInput.addEventListener('change', () => fromBlob(el.fileInput.files?.[0]));

  el.dropZone.addEventListener('dragover', (event) => {
    event.preventDefault();
    el.dropZone.classList.add('dragging');
  });
  el.dropZone.addEventListener('dragleave', () => el.dropZone.classList.remove('dragging'));
  el.dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    el.dropZone.classList.remove('dragging');
    fromBlob(event.dataTransfer?.files[0]);
  });

  document.addEventListener('paste', (event) => {
    const item = [...(event.clipboardData?.items ?? [])].find((i) => i.type.startsWith('image/'));
    if (item) fromBlob(item.getAsFile());
  });
}
