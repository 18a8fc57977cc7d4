// The closed vocabulary of the generated scenes: shapes, colours, sizes, the 80 colour×shape
// categories, and the 8 held-out pairs that only the `compositional` split may contain.

export const SHAPES = ['circle', 'square', 'triangle', 'star', 'ring', 'cross', 'diamond', 'hexagon'] as const;
export type Shape = (typeof SHAPES)[number];

/**
 * Shapes the shipped model never saw: not in SHAPES, CATEGORIES or any default split; drawn only when a
 * scene asks for them (`SceneOptions.shapes`), for the few-shot prompt-tuning benchmark.
 */
export const NOVEL_SHAPES = ['heart', 'crescent', 'arrow', 'pentagon'] as const;
export type NovelShape = (typeof NOVEL_SHAPES)[number];

/** Any shape the renderer can draw. */
export type SceneShape = Shape | NovelShape;

export function isTrainedShape(shape: SceneShape): shape is Shape {
  return (SHAPES as readonly string[]).includes(shape);
}

export const COLORS = ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'pink', 'brown', 'white', 'black'] as const;
export type Color = (typeof COLORS)[number];

/** Fill RGB of each colour; every one stays far from the low-saturation mid-grey backgrounds. */
export const COLOR_RGB: Record<Color, readonly [number, number, number]> = {
  red: [220, 30, 30],
  green: [40, 170, 50],
  blue: [40, 80, 230],
  yellow: [240, 220, 30],
  purple: [140, 50, 190],
  orange: [245, 140, 20],
  pink: [250, 130, 200],
  brown: [125, 75, 30],
  white: [250, 250, 250],
  black: [15, 15, 15],
};

export const SIZES = ['small', 'medium', 'large'] as const;
export type Size = (typeof SIZES)[number];

/** Circumradius range in pixels (320×320 images) per size class. */
export const SIZE_RADIUS: Record<Size, readonly [number, number]> = {
  small: [12, 20],
  medium: [23, 34],
  large: [37, 52],
};

/** One colour per shape, never in `train`/`val`; every `compositional` image has at least one. */
export const HELD_OUT: ReadonlyArray<readonly [Color, Shape]> = [
  ['purple', 'circle'],
  ['orange', 'square'],
  ['pink', 'triangle'],
  ['brown', 'star'],
  ['yellow', 'ring'],
  ['white', 'cross'],
  ['green', 'diamond'],
  ['red', 'hexagon'],
];

export interface Category {
  id: number;
  name: string;
  color: Color;
  shape: Shape;
}

/** id = colourIndex·8 + shapeIndex + 1, name "red circle". */
export function categoryId(color: Color, shape: Shape): number {
  return COLORS.indexOf(color) * SHAPES.length + SHAPES.indexOf(shape) + 1;
}

export const CATEGORIES: readonly Category[] = COLORS.flatMap((color) =>
  SHAPES.map((shape) => ({ id: categoryId(color, shape), name: `${color} ${shape}`, color, shape })),
);

export function isHeldOut(color: Color, shape: Shape): boolean {
  return HELD_OUT.some(([c, s]) => c === color && s === shape);
}

export function plural(shape: Shape): string {
  return shape === 'cross' ? 'crosses' : `${shape}s`;
}
