/** Random `Answer` values of every JSON type the API sends. */
import type { Random } from './random';
import { AUDITORS, CHOICES, REMARKS, WORDS, type AnswerKind } from './vocabulary';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** An answer of the question's kind. */
export function randomAnswer(kind: AnswerKind, random: Random): Json {
  switch (kind) {
    case 'text':
      return random.pick(REMARKS);
    case 'choice':
      return random.pick(CHOICES);
    case 'number':
      return random.chance(0.5) ? random.int(0, 40) : random.int(-200, 200) / 10;
    case 'boolean':
      return random.chance(0.5);
    case 'object':
      return { checked: random.chance(0.8), by: random.pick(AUDITORS), notes: random.chance(0.5) ? random.pick(REMARKS) : null };
    case 'array':
      return random.chance(0.5)
        ? [random.pick(WORDS), random.pick(WORDS)]
        : [{ url: `https://files.example.test/${random.int(1000, 9999)}.jpg`, caption: random.pick(REMARKS) }];
  }
}

/** Free text of `min`..`max` characters, longer than the legacy 4000-character cut. */
export function longText(random: Random, min: number, max: number): string {
  const length = random.int(min, max);
  const words: string[] = [];
  let size = 0;
  while (size < length) {
    const word = random.pick(WORDS);
    words.push(word);
    size += word.length + 1;
  }
  return `${words.join(' ').slice(0, length - 1)}.`;
}
