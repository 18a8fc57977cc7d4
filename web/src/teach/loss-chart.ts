// Teach mode's live loss curve: one SVG polyline of the loss per step, scaled to the steps asked
// for and to the range of the losses seen, redrawn after every step. The numbers are also written as text
// (the last step's loss, and a table for screen readers), so the curve is never the only record.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 320;
const HEIGHT = 120;
const PAD = 4;

export interface LossPoint {
  step: number;
  loss: number;
}

export class LossChart {
  private points: LossPoint[] = [];
  private steps = 1;
  private readonly line: SVGPolylineElement;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly table: HTMLTableSectionElement,
  ) {
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    this.line = document.createElementNS(SVG, 'polyline');
    this.line.setAttribute('fill', 'none');
    this.line.setAttribute('stroke', 'currentColor');
    this.line.setAttribute('stroke-width', '2');
    svg.replaceChildren(this.line);
  }

  /** Starts a new curve for a run of `steps` steps. */
  reset(steps: number): void {
    this.points = [];
    this.steps = Math.max(1, steps);
    this.table.replaceChildren();
    this.draw();
  }

  add(point: LossPoint): void {
    this.points.push(point);
    const row = document.createElement('tr');
    for (const value of [String(point.step), point.loss.toFixed(4)]) {
      const cell = document.createElement('td');
      cell.textContent = value;
      row.append(cell);
    }
    this.table.append(row);
    this.draw();
  }

  private draw(): void {
    // The vertical axis spans the losses seen (a few-shot run changes the loss by a few per cent: from 0 it would look flat).
    const losses = this.points.map((p) => p.loss);
    const top = Math.max(...losses, 1e-9);
    const bottom = Math.min(...losses, top);
    const span = top - bottom || Math.abs(top) || 1;
    const x = (step: number): number => PAD + ((WIDTH - 2 * PAD) * (step - 1)) / Math.max(1, this.steps - 1);
    const y = (loss: number): number => HEIGHT - PAD - ((HEIGHT - 2 * PAD) * (loss - bottom)) / span;
    this.line.setAttribute('points', this.points.map((p) => `${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' '));
    const last = this.points.at(-1);
    this.svg.setAttribute('aria-label', last ? `Loss curve: ${this.points.length} steps, from ${this.points[0].loss.toFixed(4)} to ${last.loss.toFixed(4)}` : 'Loss curve: no steps yet');
  }
}
