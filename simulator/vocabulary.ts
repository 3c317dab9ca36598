/** The fixed words the generator draws from: questions, places, checklists, people. */

export type AnswerKind = 'text' | 'choice' | 'number' | 'boolean' | 'object' | 'array';

/** A checklist question as GoAudits would send it; no `id` means rows without `QUESTION_ID`. */
export interface Question {
  id?: string;
  text: string;
  section: string;
  /** `GroupName`; "N/A" means no group, undefined means the field is absent. */
  group?: string;
  kind: AnswerKind;
}

export const QUESTION_BANK: readonly Question[] = [
  { id: '101', text: 'Are hand-wash stations stocked with soap and towels?', section: 'Hygiene', group: 'N/A', kind: 'boolean' },
  { id: '102', text: 'Walk-in fridge temperature (°C)', section: 'Cold Chain', group: 'Kitchen', kind: 'number' },
  { id: '103', text: 'Comments on floor cleanliness', section: 'Hygiene', group: 'Front of House', kind: 'text' },
  { id: '104', text: 'Evidence of pests', section: 'Pest Control', group: 'N/A', kind: 'choice' },
  { id: '105', text: 'Fire extinguisher inspection', section: 'Safety', group: 'Back of House', kind: 'object' },
  { id: '106', text: 'Allergens displayed', section: 'Allergens', group: 'N/A', kind: 'array' },
  { id: '107', text: 'Staff on shift', section: 'Staffing', kind: 'number' },
  { id: '108', text: 'Corrective action required?', section: 'Actions', group: 'N/A', kind: 'boolean' },
  { id: '109', text: 'Date of last deep clean', section: 'Hygiene', group: 'N/A', kind: 'text' },
  { id: '110', text: 'Overall rating (1-5)', section: 'Actions', group: 'N/A', kind: 'choice' },
  { text: 'Freezer temperature (°C) at 10:00', section: 'Cold Chain', group: 'Kitchen', kind: 'number' },
  { text: 'Manager on duty', section: 'Staffing', group: 'N/A', kind: 'text' },
  { text: 'Photos of the dry store', section: 'Storage', group: 'Back of House', kind: 'array' },
  { text: 'Delivery check: supplier & temperature', section: 'Deliveries', group: 'N/A', kind: 'object' },
  { text: 'Is the first-aid kit complete?', section: 'Safety', kind: 'boolean' },
];

/** The certificate question, by `QUESTION_ID == "1"`. */
export const CERTIFICATE_BY_ID: Omit<Question, 'kind'> = { id: '1', text: 'Certificate No.', section: 'Certification', group: 'N/A' };
/** The certificate question, by its text, with another `QUESTION_ID`. */
export const CERTIFICATE_BY_TEXT: Omit<Question, 'kind'> = {
  id: '501',
  text: 'Food Safety Certificate Number',
  section: 'Certification',
  group: 'Compliance',
};
/** The certificate question, by its text, without `QUESTION_ID`. */
export const CERTIFICATE_BY_TEXT_NO_ID: Omit<Question, 'kind'> = { text: 'Certificate Number (if issued)', section: 'Certification' };

/** A question text far longer than a key (256) and than the stored text (1000); sent without `QUESTION_ID`. */
export const LONG_QUESTION: Omit<Question, 'kind'> = {
  text: Array.from(
    { length: 24 },
    (_, i) => `Step ${i + 1}: describe the corrective action taken, who approved it, and when it was verified;`,
  ).join(' '),
  section: 'Free Text',
  group: 'N/A',
};

/** `text` repeated, word-wrapped at nothing, cut to exactly `length` characters. */
function filled(text: string, length: number): string {
  return Array.from({ length: Math.ceil(length / (text.length + 1)) }, () => text)
    .join(' ')
    .slice(0, length);
}

const AREAS = 'Back of House: dry store, walk-in fridge, freezer, bins, wash-up, the yard and the staff room';

/**
 * Sent by id, with a Section and a GroupName that, joined by " | ", run past the stored 200
 * characters with an emoji across the cut: the pair is dropped whole.
 */
export const LONG_SECTION_QUESTION: Omit<Question, 'kind'> = {
  id: '120',
  text: 'Findings by area',
  section: AREAS,
  group: `${filled('Fire safety: extinguishers, blankets, alarms and exits checked', 199 - AREAS.length - ' | '.length)}🧯 and signed off by the manager`,
};

/** Past the stored 1000 characters, with an emoji across the cut; sent without `QUESTION_ID`. */
export const LONG_QUESTION_WITH_EMOJI: Omit<Question, 'kind'> = {
  text: `${filled('Describe each fire door on the premises, its closer, its seals and its signage.', 999)}🚪 and anything else the auditor noticed`,
  section: 'Fire Doors',
  group: 'N/A',
};

/** Longer than a key (256) but not than the stored text (1000): hashed as a key, stored whole as text; sent without `QUESTION_ID`. */
export const MEDIUM_QUESTION: Omit<Question, 'kind'> = {
  text: `${filled('Walk the route a delivery takes from the back door to the cold room and note where the cold chain could break.', 420)}?`,
  section: 'Deliveries',
  group: 'Back of House',
};

export const LOCATIONS = ['Leeds Central', 'York Station', 'Hull Marina', 'Bradford North', 'Sheffield Park'] as const;
export const CHECKLISTS = ['Food Safety Daily', 'Health & Safety Monthly', 'Opening Checks'] as const;
export const AUDITORS = ['A. Patel', 'B. Okafor', 'C. Nowak', 'D. Svensson'] as const;
export const CHOICES = ['Yes', 'No', 'N/A', 'Partially', '4', '5'] as const;
export const REMARKS = [
  'All good',
  'Minor spillage near the back door',
  'Cleaned during the visit',
  'See photos',
  'Checked with the manager',
] as const;
export const WORDS = [
  'temperature',
  'checked',
  'shelf',
  'label',
  'probe',
  'record',
  'supplier',
  'clean',
  'staff',
  'fridge',
  'door',
  'seal',
] as const;
