// The demo's result view: the phrase chips, the annotated canvas and the list of detections, linked.
// Chips are the engine's phrases (its parser while typing, its answer after a run); hovering or
// focusing a chip highlights that phrase's boxes, clicking it switches them off and on; hovering or
// focusing a row of the list highlights that one box. Drawing is the widget's overlay (labels placed
// inside the canvas without overlaps by core's render/label-layout.ts).
import type { Detection } from '@webglip/core/client';
import { drawDetections, type DrawnLabel } from '@webglip/widget/overlay.ts';
import { colorOf, phraseChips, phraseKey, promptChips, type PhraseChip } from '@webglip/widget/phrases.ts';

export interface ResultElements {
  canvas: HTMLCanvasElement;
  chips: HTMLElement;
  list: HTMLElement;
}

type Focus = { phrase: string } | { detection: Detection } | null;

export class ResultView {
  private chips: PhraseChip[] = [];
  private image: (CanvasImageSource & { width: number; height: number }) | null = null;
  private detections: Detection[] = [];
  private readonly switchedOff = new Set<string>();
  private focus: Focus = null;
  /** The box labels drawn last. */
  labels: DrawnLabel[] = [];

  constructor(private readonly el: ResultElements) {}

  /** Chips for a prompt being typed: the phrases the engine's parser reads in it. */
  setPrompt(prompt: string): void {
    this.setChips(promptChips(prompt));
  }

  /** Chips from the engine's answer: the phrases it grounded. */
  setPhrases(phrases: readonly { text: string; charSpan: readonly [number, number] }[]): void {
    const next = phraseChips(phrases);
    if (JSON.stringify(next) !== JSON.stringify(this.chips)) this.setChips(next);
  }

  /** Shows `image` with `detections` (already thresholded). */
  show(image: CanvasImageSource & { width: number; height: number }, detections: Detection[]): void {
    this.image = image;
    this.detections = detections;
    if (this.focus && 'detection' in this.focus && !detections.includes(this.focus.detection)) this.focus = null;
    this.draw();
    this.renderList();
  }

  /** The phrases shown as chips now (the engine's), in prompt order. */
  get phrases(): readonly PhraseChip[] {
    return this.chips;
  }

  color(d: Detection): string {
    return colorOf(this.chips, d);
  }

  private setChips(chips: PhraseChip[]): void {
    this.chips = chips;
    this.switchedOff.clear();
    this.focus = null;
    this.el.chips.replaceChildren(
      ...chips.map((chip) => {
        const key = phraseKey(chip);
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'chip';
        button.textContent = chip.text;
        button.style.background = chip.color;
        button.setAttribute('aria-pressed', 'true');
        button.title = 'Hover to highlight its boxes, click to hide or show them';
        this.onHover(button, { phrase: key });
        button.addEventListener('click', () => {
          if (!this.switchedOff.delete(key)) this.switchedOff.add(key);
          button.setAttribute('aria-pressed', String(!this.switchedOff.has(key)));
          this.draw();
          this.renderList();
        });
        const item = document.createElement('li');
        item.append(button);
        return item;
      }),
    );
    if (this.image) this.draw();
  }

  private renderList(): void {
    this.el.list.replaceChildren(
      ...this.detections.map((d) => {
        const item = document.createElement('li');
        const [x0, y0, x1, y1] = d.box.map(Math.round);
        item.textContent = `${d.phrase} — ${d.score.toFixed(2)} at (${x0}, ${y0})–(${x1}, ${y1})`;
        item.style.borderLeft = `0.6em solid ${this.color(d)}`;
        item.tabIndex = 0;
        item.classList.toggle('switched-off', this.switchedOff.has(phraseKey(d)));
        this.onHover(item, { detection: d });
        return item;
      }),
    );
  }

  private onHover(target: HTMLElement, focus: Focus): void {
    const set = (on: boolean) => () => {
      this.focus = on ? focus : null;
      this.draw();
    };
    target.addEventListener('pointerenter', set(true));
    target.addEventListener('pointerleave', set(false));
    target.addEventListener('focus', set(true));
    target.addEventListener('blur', set(false));
  }

  private draw(): void {
    if (!this.image) return;
    const focus = this.focus;
    this.labels = drawDetections(this.el.canvas, this.image, this.detections, {
      color: (d) => this.color(d),
      hidden: (d) => this.switchedOff.has(phraseKey(d)) && !(focus && 'detection' in focus && focus.detection === d),
      highlighted: focus === null ? null : 'phrase' in focus ? (d) => phraseKey(d) === focus.phrase : (d) => d === focus.detection,
    });
    const shown = this.detections.length - this.detections.filter((d) => this.switchedOff.has(phraseKey(d))).length;
    this.el.canvas.setAttribute('aria-label', this.detections.length === 0 ? 'Image, nothing found' : `Image with ${shown} of ${this.detections.length} detections shown`);
  }
}
