// Ready-made vocabularies for the prompt box, each written into it as GLIP's detection query (names
// joined by ". ", text/category-query.ts), so what the box shows is what the engine reads and a user
// can edit it. One longer than the model's 256-token window (glip-nano's) runs in chunks (the worker's detectChunked).
import { categoryQuery } from '@webglip/core/client';
import { CATEGORIES } from '../../tools/synth/vocabulary.ts';

/** The 80 category names of COCO detection (instances_*.json `categories`, in id order). */
export const COCO_CATEGORY_NAMES: readonly string[] = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
  'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
  'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

export interface VocabularyPreset {
  /** The <option> value. */
  id: string;
  label: string;
  names: readonly string[];
}

export const VOCABULARY_PRESETS: readonly VocabularyPreset[] = [
  { id: 'glip-nano', label: "glip-nano's 80 training names (colour × shape)", names: CATEGORIES.map((c) => c.name) },
  { id: 'coco', label: 'COCO 80 classes', names: COCO_CATEGORY_NAMES },
];

/** The prompt text of a preset: GLIP's query of its names. */
export function presetPrompt(preset: VocabularyPreset): string {
  return categoryQuery(preset.names).caption;
}
