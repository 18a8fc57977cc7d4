// Phrase colours, in prompt order, shared by every view of detections (the demo's and the widget's
// chips and boxes, the CLI's annotated PNG): distinct hues that stay readable under black label text
// and as thin outlines on photos.
export const PHRASE_COLOURS = ['#ffb000', '#34c3ff', '#ff5c8a', '#7ee081', '#c58cff', '#ff8a3d', '#3de0c8', '#f2e94e', '#9db4ff', '#ff9ecb'] as const;

/** `#rrggbb` → [r, g, b]. */
export function rgbOf(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
