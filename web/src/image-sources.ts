// Every way the demo takes an image — file picker, drag and drop, paste, webcam frame — delivered
// as one ImageBitmap to a single callback. Decoding goes through the engine's decoder: EXIF
// orientation honoured, huge images downscaled, unreadable files reported in words.
import { decodeImage, pixelsFromSource, type DecodedImage } from '@webglip/core/image/decode.ts';

function toBitmap(pixels: DecodedImage): Promise<ImageBitmap> {
  return createImageBitmap(new ImageData(pixels.data as Uint8ClampedArray<ArrayBuffer>, pixels.width, pixels.height));
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export interface ImageSourceElements {
  dropZone: HTMLElement;
  fileInput: HTMLInputElement;
  webcamButton: HTMLButtonElement;
  captureButton: HTMLButtonElement;
  video: HTMLVideoElement;
}

export function watchImageSources(el: ImageSourceElements, onImage: (image: ImageBitmap) => void, onError: (message: string) => void): void {
  const fromBlob = (blob: Blob | null | undefined): void => {
    if (!blob) return;
    decodeImage(blob).then(toBitmap).then(onImage, (e) => onError(message(e)));
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

  let stream: MediaStream | null = null;
  el.webcamButton.addEventListener('click', async () => {
    if (stream) {
      stream.getTracks().forEach((t) => t.stop());
      stream = null;
      el.video.hidden = el.captureButton.hidden = true;
      el.webcamButton.textContent = 'Use camera';
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true });
    } catch (e) {
      return onError(`The camera is not available: ${message(e)}`);
    }
    el.video.srcObject = stream;
    await el.video.play();
    el.video.hidden = el.captureButton.hidden = false;
    el.webcamButton.textContent = 'Stop camera';
  });
  el.captureButton.addEventListener('click', () => {
    pixelsFromSource(el.video).then(toBitmap).then(onImage, (e) => onError(message(e)));
  });
}
