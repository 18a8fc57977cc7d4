// Noun-phrase-like chunks of a free sentence, a small stand-in for what GLIPDemo does with NLTK
// (POS tagging + `NP: {<DT>?<JJ.*>*<NN.*>+}`), which we do not have in the browser. It is a word-list
// heuristic, not a tagger: a chunk is a run of words that ends at punctuation or at a "break" word
// (preposition, conjunction, pronoun, auxiliary, a few relation and action words); break words are
// left out, and a determiner may only open a chunk, as in GLIP's grammar. "a red mug left of the
// laptop" → "a red mug", "the laptop". Unknown verbs stay inside chunks ("a dog jumps" is one chunk);
// callers who need exact phrases give explicit spans instead.
import type { CharSpan } from './bert-normalizer.ts';

const DETERMINERS = new Set(
  'a an the this that these those some any each every another no my your his her its our their one two three four five'.split(' '),
);

const BREAK_WORDS = new Set(
  [
    // prepositions and spatial relations
    'about above across after against along among around at before behind below beneath beside besides between beyond by',
    'down during for from in inside into near next of off on onto out outside over past through to toward towards under',
    'underneath up upon with within without left right front top bottom',
    // conjunctions, relative words, pronouns
    'and or but nor so yet while where when which who whom whose than as like there here',
    'i me you he him she it they them we us',
    // auxiliaries and a few actions frequent in grounding captions
    'is are was were be been being am has have had do does did can could will would should may might must',
    'holding wearing riding sitting standing lying walking running playing eating carrying looking using watching',
    'throwing catching driving pulling pushing flying hanging',
  ]
    .join(' ')
    .split(' '),
);

const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/** Chunks of `text.slice(from, to)`, as spans of `text`, in order. */
export function nounPhraseSpans(text: string, from = 0, to = text.length): CharSpan[] {
  const chunks: CharSpan[] = [];
  let open: CharSpan | null = null;
  let openIsDeterminerOnly = false;
  const close = (): void => {
    if (open && !openIsDeterminerOnly) chunks.push(open);
    open = null;
  };
  for (const m of text.slice(from, to).matchAll(WORD)) {
    const start = from + (m.index ?? 0);
    const end = start + m[0].length;
    const word = m[0].toLowerCase();
    if (open && text.slice(open[1], start).trim() !== '') close(); // punctuation between words
    if (BREAK_WORDS.has(word)) {
      close();
    } else if (DETERMINERS.has(word)) {
      close();
      open = [start, end];
      openIsDeterminerOnly = true;
    } else if (open) {
      open[1] = end;
      openIsDeterminerOnly = false;
    } else {
      open = [start, end];
      openIsDeterminerOnly = false;
    }
  }
  close();
  return chunks;
}
