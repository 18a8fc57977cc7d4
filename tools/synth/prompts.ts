// Grounding prompts for a scene: a `list` of category names (all present + 1–3 absent, shuffled)
// and a free `sentence` with size attributes and spatial words. Each phrase records its exact
// character span [start, end) in the caption, its category and the annotation ids it refers to.

import type { Rng } from './prng.ts';
import { CATEGORIES, categoryId, isHeldOut, plural } from './vocabulary.ts';
import type { Color, Shape, Size } from './vocabulary.ts';

export interface Phrase {
  text: string;
  char_span: [number, number];
  category_id: number;
  annotation_ids: number[];
}

export interface Prompt {
  style: 'list' | 'sentence';
  caption: string;
  phrases: Phrase[];
}

/** What a prompt needs to know about an annotated object. */
export interface PromptObject {
  annotationId: number;
  color: Color;
  shape: Shape;
  size: Size;
  box: [number, number, number, number];
}

class CaptionBuilder {
  text = '';
  readonly phrases: Phrase[] = [];

  add(s: string): this {
    this.text += s;
    return this;
  }

  phrase(text: string, categoryId: number, annotationIds: number[]): this {
    const start = this.text.length;
    this.text += text;
    this.phrases.push({ text, char_span: [start, this.text.length], category_id: categoryId, annotation_ids: annotationIds });
    return this;
  }
}

export function listPrompt(objects: PromptObject[], rng: Rng, allowHeldOut: boolean): Prompt {
  const present = [...new Set(objects.map((o) => categoryId(o.color, o.shape)))];
  const candidates = CATEGORIES.filter((c) => !present.includes(c.id) && (allowHeldOut || !isHeldOut(c.color, c.shape)));
  // Half of the absent names are hard negatives: same colour or same shape as something present.
  const hard = candidates.filter((c) => objects.some((o) => o.color === c.color || o.shape === c.shape));
  const absent: number[] = [];
  const nAbsent = rng.int(1, 3);
  while (absent.length < nAbsent) {
    const pool = rng.chance(0.5) && hard.length > 0 ? hard : candidates;
    const id = rng.pick(pool).id;
    if (!absent.includes(id)) absent.push(id);
  }
  const b = new CaptionBuilder();
  rng.shuffle([...present, ...absent]).forEach((id, i) => {
    if (i > 0) b.add(' ');
    const ids = objects.filter((o) => categoryId(o.color, o.shape) === id).map((o) => o.annotationId);
    b.phrase(CATEGORIES[id - 1].name, id, ids).add('.');
  });
  return { style: 'list', caption: b.text, phrases: b.phrases };
}

/** A noun phrase for one object, or for all objects of its category when they cannot be told apart. */
interface Mention {
  lead: string;
  text: string;
  categoryId: number;
  members: PromptObject[];
}

const COUNT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six'];

function article(word: string, definite: boolean): string {
  return definite ? 'the' : /^[aeiou]/.test(word) ? 'an' : 'a';
}

function mention(o: PromptObject, objects: PromptObject[], rng: Rng, definite: boolean): Mention {
  const id = categoryId(o.color, o.shape);
  const twins = objects.filter((x) => categoryId(x.color, x.shape) === id);
  const sameSize = twins.filter((x) => x.size === o.size);
  if (sameSize.length > 1) {
    const sizeWord = sameSize.length < twins.length ? `${o.size} ` : '';
    return { lead: COUNT_WORDS[sameSize.length], text: `${sizeWord}${o.color} ${plural(o.shape)}`, categoryId: id, members: sameSize };
  }
  const withSize = twins.length > 1 || rng.chance(0.4);
  const text = withSize ? `${o.size} ${o.color} ${o.shape}` : `${o.color} ${o.shape}`;
  return { lead: article(text, definite), text, categoryId: id, members: [o] };
}

/** Where `a` is relative to `b`, from box centres. */
function relation(a: PromptObject, b: PromptObject, rng: Rng): string {
  const ca = [(a.box[0] + a.box[2]) / 2, (a.box[1] + a.box[3]) / 2];
  const cb = [(b.box[0] + b.box[2]) / 2, (b.box[1] + b.box[3]) / 2];
  const dx = ca[0] - cb[0];
  const dy = ca[1] - cb[1];
  const reach = (a.box[2] - a.box[0] + a.box[3] - a.box[1] + b.box[2] - b.box[0] + b.box[3] - b.box[1]) / 4;
  if (Math.hypot(dx, dy) < 1.4 * reach && rng.chance(0.5)) return 'next to';
  if (Math.abs(dx) > Math.abs(dy)) return dx < 0 ? 'to the left of' : 'to the right of';
  return dy < 0 ? 'above' : 'below';
}

function addMention(b: CaptionBuilder, m: Mention): void {
  b.add(`${m.lead} `).phrase(m.text, m.categoryId, m.members.map((o) => o.annotationId));
}

export function sentencePrompt(objects: PromptObject[], rng: Rng): Prompt {
  const b = new CaptionBuilder();
  const order = rng.shuffle(objects);
  const first = mention(order[0], objects, rng, rng.chance(0.5));
  const second = order.find((o) => !first.members.includes(o));
  const template = rng.int(0, 3);
  if (second !== undefined && first.members.length === 1 && template <= 1) {
    const other = mention(second, objects, rng, template === 1);
    const rel = relation(order[0], second, rng);
    if (other.members.length === 1) {
      if (template === 0) {
        addMention(b, first);
        b.add(` ${rel} `);
        addMention(b, other);
      } else {
        b.add('the ').phrase(first.text, first.categoryId, [order[0].annotationId]).add(` is ${rel} `);
        addMention(b, other);
      }
      return { style: 'sentence', caption: b.text, phrases: b.phrases };
    }
  }
  if (template === 2 || second === undefined) {
    b.add(rng.pick(['find ', 'there is ', 'look for ']));
    addMention(b, { ...first, lead: first.members.length > 1 ? first.lead : article(first.text, false) });
    return { style: 'sentence', caption: b.text, phrases: b.phrases };
  }
  // Enumeration of every category in the scene: "a red circle, two blue stars and a small green ring".
  const mentions: Mention[] = [];
  for (const o of order) if (!mentions.some((m) => m.members.includes(o))) mentions.push(mention(o, objects, rng, false));
  b.add(rng.pick(['', 'an image with ', 'a picture of ']));
  mentions.forEach((m, i) => {
    if (i > 0) b.add(i === mentions.length - 1 ? ' and ' : ', ');
    addMention(b, m);
  });
  return { style: 'sentence', caption: b.text, phrases: b.phrases };
}
