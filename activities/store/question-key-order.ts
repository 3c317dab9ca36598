import type { Answer } from '../goaudits/records';

/** The order of a report's answers as the store gives them back: by questionKey, as JavaScript compares text (UTF-16 code units). */
export const byQuestionKey = (a: Answer, b: Answer): number => (a.questionKey < b.questionKey ? -1 : a.questionKey > b.questionKey ? 1 : 0);
