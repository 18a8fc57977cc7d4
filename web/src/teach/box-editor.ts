// Teach mode's annotation canvas: shows one example image with its boxes; dragging on it (mouse,
// pen or touch) draws a new box, named with the name field's text, and so does typing its corners in
// the corners form (the keyboard's way). Below it, every box is a row with
// its own name field and a Remove button, so boxes can be renamed and removed from the keyboard.
// Boxes are kept in the image's pixels (GLIP's inclusive xyxy), whatever size the canvas is shown at.
import type { LabelledBox } from '@webglip/core/client';

/** An image the user added, with the boxes drawn on it so far. */
export interface TeachImage {
  name: string;
  bitmap: ImageBitmap;
  boxes: LabelledBox[];
}

export interface BoxEditorElements {
  canvas: HTMLCanvasElement;
  /** The name given to boxes drawn next. */
  name: HTMLInputElement;
  list: HTMLElement;
  /** Inputs x0, y0, x1, y1 and a submit button. */
  corners: HTMLFormElement;
}

/** Boxes smaller than this (in image pixels, either side) are taken for a click, not drawn. */
const MIN_SIDE = 2;

export class BoxEditor {
  private image: TeachImage | null = null;
  private dragStart: [number, number] | null = null;
  private dragEnd: [number, number] | null = null;

  /** `onChange` runs after every added, renamed or removed box. */
  constructor(
    private readonly el: BoxEditorElements,
    private readonly onChange: () => void,
  ) {
    const canvas = el.canvas;
    canvas.addEventListener('pointerdown', (event) => {
      if (!this.image) return;
      canvas.setPointerCapture(event.pointerId);
      this.dragStart = this.dragEnd = this.imagePoint(event);
    });
    canvas.addEventListener('pointermove', (event) => {
      if (!this.dragStart) return;
      this.dragEnd = this.imagePoint(event);
      this.draw();
    });
    canvas.addEventListener('pointerup', (event) => {
      if (!this.dragStart || !this.image) return;
      const [ax, ay] = this.dragStart;
      const [bx, by] = this.imagePoint(event);
      this.dragStart = this.dragEnd = null;
      if (Math.abs(bx - ax) >= MIN_SIDE && Math.abs(by - ay) >= MIN_SIDE) {
        const phrase = el.name.value.trim();
        this.image.boxes.push({ box: [Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by)], phrase });
        this.changed();
      } else this.draw();
    });
    el.corners.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!this.image) return;
      const { width, height } = this.image.bitmap;
      const [x0, y0, x1, y1] = ['x0', 'y0', 'x1', 'y1'].map((n) => Math.round(Number((el.corners.elements.namedItem(n) as HTMLInputElement).value)));
      const inside = x0 >= 0 && y0 >= 0 && x1 < width && y1 < height;
      const corners = el.corners.elements.namedItem('x1') as HTMLInputElement;
      corners.setCustomValidity(!inside ? `the box must lie inside the image (0…${width - 1}, 0…${height - 1})` : x1 - x0 < MIN_SIDE || y1 - y0 < MIN_SIDE ? `x1 and y1 must exceed x0 and y0 by ${MIN_SIDE} or more` : '');
      if (!corners.reportValidity()) return;
      this.image.boxes.push({ box: [x0, y0, x1, y1], phrase: el.name.value.trim() });
      this.changed();
    });
    el.corners.addEventListener('input', () => (el.corners.elements.namedItem('x1') as HTMLInputElement).setCustomValidity(''));
    canvas.addEventListener('pointercancel', () => {
      this.dragStart = this.dragEnd = null;
      this.draw();
    });
  }

  /** Edits `image` (null: nothing to edit). */
  edit(image: TeachImage | null): void {
    this.image = image;
    this.dragStart = this.dragEnd = null;
    this.draw();
    this.renderList();
  }

  /** Redraws after the image's boxes changed elsewhere (a COCO import). */
  refresh(): void {
    this.draw();
    this.renderList();
  }

  private changed(): void {
    this.draw();
    this.renderList();
    this.onChange();
  }

  /** The pointer's position in image pixels, clamped to the image. */
  private imagePoint(event: PointerEvent): [number, number] {
    const rect = this.el.canvas.getBoundingClientRect();
    const { width, height } = this.el.canvas;
    const clamp = (v: number, max: number): number => Math.min(max - 1, Math.max(0, Math.round(v)));
    return [clamp(((event.clientX - rect.left) * width) / rect.width, width), clamp(((event.clientY - rect.top) * height) / rect.height, height)];
  }

  private draw(): void {
    const canvas = this.el.canvas;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    if (!this.image) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      canvas.setAttribute('aria-label', 'No example image yet');
      return;
    }
    const { bitmap, boxes } = this.image;
    if (canvas.width !== bitmap.width) canvas.width = bitmap.width;
    if (canvas.height !== bitmap.height) canvas.height = bitmap.height;
    ctx.drawImage(bitmap, 0, 0);
    const line = Math.max(1, Math.round(bitmap.width / 200));
    ctx.lineWidth = line;
    ctx.font = `${Math.max(10, Math.round(bitmap.width / 30))}px system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    for (const { box, phrase } of boxes) {
      const [x0, y0, x1, y1] = box;
      ctx.strokeStyle = '#ffb000';
      ctx.strokeRect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
      ctx.fillStyle = '#ffb000';
      ctx.fillText(phrase || '(no name)', x0 + line, y0 + line);
    }
    if (this.dragStart && this.dragEnd) {
      const [ax, ay] = this.dragStart;
      const [bx, by] = this.dragEnd;
      ctx.setLineDash([4 * line, 2 * line]);
      ctx.strokeStyle = '#1d6fd6';
      ctx.strokeRect(Math.min(ax, bx), Math.min(ay, by), Math.abs(bx - ax), Math.abs(by - ay));
      ctx.setLineDash([]);
    }
    canvas.setAttribute('aria-label', `${this.image.name}: ${boxes.length} box${boxes.length === 1 ? '' : 'es'}; drag on the image to draw another`);
  }

  private renderList(): void {
    const boxes = this.image?.boxes ?? [];
    this.el.list.replaceChildren(
      ...boxes.map((b, i) => {
        const item = document.createElement('li');
        const [x0, y0, x1, y1] = b.box;
        const name = document.createElement('input');
        name.type = 'text';
        name.value = b.phrase;
        name.setAttribute('aria-label', `Name of box ${i + 1}`);
        name.addEventListener('change', () => {
          b.phrase = name.value.trim();
          this.changed();
        });
        const where = document.createElement('span');
        where.textContent = ` (${x0}, ${y0})–(${x1}, ${y1}) `;
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.textContent = 'Remove';
        remove.setAttribute('aria-label', `Remove box ${i + 1}`);
        remove.addEventListener('click', () => {
          this.image?.boxes.splice(i, 1);
          this.changed();
        });
        item.append(name, where, remove);
        return item;
      }),
    );
  }
}
