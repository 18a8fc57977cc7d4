// GLIP's detection query for a data set's categories (create_queries_and_maps in the official
// maskrcnn_benchmark/engine/inference.py): each name cleaned as its clean_name does (a "(…)" part
// removed, "_" → " ", double spaces halved), the names joined by DATASETS.SEPARATION_TOKENS (". " in
// the official configs), no separator after the last; each phrase is its cleaned name's span.
// Unlike GLIPDemo's list (prompt.ts: categoryPrompt, " . " after every name), this is what GLIP's
// COCO / LVIS evaluations give the model.
import { PromptError } from '../errors.ts';
import type { Phrase, Prompt } from './prompt.ts';

/** DATASETS.SEPARATION_TOKENS of the official pre-training configs. */
export const QUERY_SEPARATOR = '. ';

/** The official clean_name: "bow_(weapon)" → "bow ", "hair_dryer" → "hair dryer". */
export function cleanCategoryName(name: string): string {
  return name.replace(/\(.*\)/gu, '').replace(/_/gu, ' ').replace(/ {2}/gu, ' ');
}

/**
 * The query of `names` in order. Typed errors: an empty list, a name that cleans to nothing, and two
 * names that are the same (case and spacing aside) — a category named twice cannot be told apart.
 * Two names that differ but clean to the same text are both grounded, each on its own span, as GLIP
 * grounds them (`groundRepeats`).
 */
export function categoryQuery(names: readonly string[], separator = QUERY_SEPARATOR): Prompt {
  if (names.length === 0) throw new PromptError('the vocabulary is empty: give at least one category name');
  const seen = new Map<string, number>();
  let caption = '';
  const phrases: Phrase[] = [];
  names.forEach((name, i) => {
    const key = name.toLowerCase().replace(/\s+/gu, ' ').trim();
    const first = seen.get(key);
    if (first !== undefined) throw new PromptError(`category names ${first} and ${i} are both ${JSON.stringify(name)}: give each category once`);
    seen.set(key, i);
    const cleaned = cleanCategoryName(name);
    if (!/[\p{L}\p{N}]/u.test(cleaned)) throw new PromptError(`category name ${i} ${JSON.stringify(name)} has no letters or digits: remove it or give it a name`);
    if (i > 0) caption += separator;
    phrases.push({ text: cleaned, charSpan: [caption.length, caption.length + cleaned.length] });
    caption += cleaned;
  });
  return { caption, phrases, groundRepeats: true }; // names unequal before cleaning are distinct categories
}
