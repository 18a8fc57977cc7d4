// The one default score threshold of the demo, the widget and the CLI (and `detect` without one).
// 0.4 because glip-nano, the shipped model, ranks some right phrases between 0.4 and 0.5: on its val
// split at IoU .5 it gives recall 0.95 / precision 0.68 at 0.4, against 0.89 / 0.85 at 0.45 and
// fewer still at 0.5 (README, "glip-nano"). Kept free of imports so a page can read it without the engine.
export const DEFAULT_THRESHOLD = 0.4;
