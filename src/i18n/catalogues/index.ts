import type { Locale } from '../locales.js';
import { de } from './de.js';
import { en } from './en.js';
import { fr } from './fr.js';

/** Every key a hosted page, mail or error page may show: English's, so a key not in it is a type error. */
export type MessageKey = keyof typeof en;

/**
 * Another language's catalogue: only English's keys (an unknown key is an excess property, a type error), any of them
 * missing (shown in English until translated; test/i18n/catalogues.test.ts fails on a gap).
 */
export type Catalogue = Partial<Record<MessageKey, string>>;

export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, de, fr };
export const SOURCE_CATALOGUE: Readonly<Record<MessageKey, string>> = en;
