// Live camera mode: detection runs on the camera stream continuously, as fast as the backend allows.
// Each round takes the newest video frame only once the previous round has finished, so frames the
// engine cannot keep up with are skipped, never queued; the prompt is read anew every round, so an
// edit applies to the next frame. It stops (camera released, loop ended) when the user says so,
// when the camera goes away (its track ends) or when the tab is hidden or left.

export interface CameraElements {
  button: HTMLButtonElement;
  video: HTMLVideoElement;
  /** Shows frames/s while live, and why it stopped afterwards. */
  status: HTMLElement;
}

/** What the page does with one frame (detect, draw); it owns `frame` and closes it when done with it. */
export type FrameStep = (frame: ImageBitmap) => Promise<void>;

/** Counts for the end-to-end tests: frames processed, rounds running now and the most ever at once (≤ 1). */
export interface LiveStats {
  live: boolean;
  frames: number;
  inFlight: number;
  maxInFlight: number;
  stoppedBecause: string | null;
}

/** Frames/s over the last this-many rounds. */
const FPS_WINDOW = 8;

export class LiveCamera {
  readonly stats: LiveStats = { live: false, frames: 0, inFlight: 0, maxInFlight: 0, stoppedBecause: null };
  private stream: MediaStream | null = null;

  constructor(
    private readonly el: CameraElements,
    private readonly step: FrameStep,
    private readonly onError: (message: string) => void,
  ) {
    el.button.addEventListener('click', () => (this.stream ? this.stop('you stopped it') : void this.start()));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.stop('the tab was hidden');
    });
    window.addEventListener('pagehide', () => this.stop('the page was left'));
  }

  async start(): Promise<void> {
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true });
    } catch (e) {
      return this.onError(`The camera is not available: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.stream = stream;
    for (const track of stream.getVideoTracks()) track.addEventListener('ended', () => this.stop('the camera went away'));
    Object.assign(this.stats, { live: true, frames: 0, stoppedBecause: null });
    this.el.video.srcObject = stream;
    this.el.video.hidden = false;
    this.el.button.textContent = 'Stop camera';
    this.el.status.textContent = 'Live: waiting for the first result…';
    try {
      await this.el.video.play();
    } catch (e) {
      // A stop while the video was starting interrupts play(); otherwise the video cannot play.
      if (this.stream !== stream) return;
      this.stop('the video did not play');
      return this.onError(`The camera video did not play: ${e instanceof Error ? e.message : String(e)}`);
    }
    // A stop while the video was starting (tab hidden, track ended) wins: no loop, its status stays.
    if (this.stream !== stream) return;
    void this.loop(stream);
  }

  /** Releases the camera; the round in progress finishes, no new one starts. */
  stop(reason: string): void {
    const stream = this.stream;
    if (!stream) return;
    this.stream = null;
    stream.getTracks().forEach((t) => t.stop());
    this.el.video.srcObject = null;
    this.el.video.hidden = true;
    this.el.button.textContent = 'Live camera';
    this.el.status.textContent = `Camera stopped: ${reason}.`;
    Object.assign(this.stats, { live: false, stoppedBecause: reason });
  }

  private async loop(stream: MediaStream): Promise<void> {
    const finished: number[] = [];
    while (this.stream === stream) {
      // At most one round per displayed frame (a round that had nothing to do must not spin).
      await new Promise((resolve) => requestAnimationFrame(resolve));
      if (this.stream !== stream) break;
      if (this.el.video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) continue;
      this.stats.inFlight++;
      this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.stats.inFlight);
      try {
        await this.step(await createImageBitmap(this.el.video));
      } catch (e) {
        this.onError(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
        this.stop('detection failed');
      } finally {
        this.stats.inFlight--;
      }
      if (this.stream !== stream) break;
      this.stats.frames++;
      finished.push(performance.now());
      if (finished.length > FPS_WINDOW) finished.shift();
      const fps = finished.length > 1 ? ((finished.length - 1) * 1000) / (finished[finished.length - 1] - finished[0]) : null;
      this.el.status.textContent = `Live: ${this.stats.frames} frames, ${fps === null ? '…' : fps < 1 ? `${fps.toFixed(2)}` : fps.toFixed(1)} frames/s (frames the detector cannot keep up with are skipped)`;
    }
  }
}
