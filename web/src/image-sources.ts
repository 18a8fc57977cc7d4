// Every way the demo takes an image — file picker, drag and drop, paste, webcam frame — delivered
// as one ImageBitmap to a single callback.

export interface ImageSourceElements {
  dropZone: HTMLElement;
  fileInput: HTMLInputElement;
  webcamButton: HTMLButtonElement;
  captureButton: HTMLButtonElement;
  video: HTMLVideoElement;
}

export function watchImageSources(el: ImageSourceElements, onImage: (image: ImageBitmap) => void, onError: (message: string) => void): void {
  const fromBlob = (blob: Blob | null | undefined): void => {
    if (!blob || !blob.type.startsWith('image/')) return onError('That is not an image file.');
    createImageBitmap(blob).then(onImage, () => onError(`This browser cannot decode ${blob.type} images.`));
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
      return onError(`The camera is not available: ${e instanceof Error ? e.message : String(e)}`);
    }
    el.video.srcObject = stream;
    await el.video.play();
    el.video.hidden = el.captureButton.hidden = false;
    el.webcamButton.textContent = 'Stop camera';
  });
  el.captureButton.addEventListener('click', () => {
    createImageBitmap(el.video).then(onImage, (e) => onError(`Could not capture a frame: ${String(e)}`));
  });
}
