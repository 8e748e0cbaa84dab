/**
 * What a principal or device name may contain, and how admin output shows one. A name is read by
 * people (the CLI, the audit trail, logs), so it must not be able to look like another name or to
 * rearrange the line it is printed in.
 */
import { StoreAdminError } from './store-errors.js';

export const MAX_NAME_LENGTH = 256;
export const MAX_DEVICE_NAME_LENGTH = 128;

/**
 * Characters a name may not contain: controls (C0, C1), format characters (the bidi embeddings,
 * overrides and isolates U+202A–U+202E and U+2066–U+2069, the marks U+200E, U+200F and U+061C, the
 * zero-width U+200B–U+200D, U+2060 and U+FEFF, the soft hyphen, tag characters), lone surrogates,
 * line and paragraph separators, everything else Unicode calls default-ignorable (Hangul fillers,
 * variation selectors, the combining grapheme joiner), private-use and unassigned code points, and
 * every space but U+0020. Each one is invisible, or reorders the text around it, or renders as
 * whatever the viewer's font decides: `admin\u200B` would show as `admin`.
 */
const HIDDEN_CHARACTER =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]|(?! )\p{Zs}/u;
const HIDDEN_CHARACTERS = new RegExp(HIDDEN_CHARACTER.source, 'gu');
// A mark first would draw itself onto whatever is printed before the name.
const LEADING_MARK = /^\p{M}/u;

/**
 * A name to store: NFC-normalised, so the composed and decomposed spellings of one visible name are
 * one principal (the UNIQUE constraint sees the same text); refused with `INVALID_INPUT` when empty,
 * too long, padded, or holding a hidden character.
 */
export function checkNewName(value: unknown, what: string, maxLength: number): string {
  const name = lookupName(value, what, maxLength);
  if (HIDDEN_CHARACTER.test(name) || LEADING_MARK.test(name) || name.trim() !== name) {
    throw new StoreAdminError(
      'INVALID_INPUT',
      `${what} must not contain control, invisible or bidirectional-formatting characters, start with a combining mark, or have surrounding spaces`,
    );
  }
  return name;
}

/**
 * A name to look up: NFC-normalised like a stored one, but not refused for its characters, so a
 * principal created before these rules (or written by another tool) can still be found and removed.
 */
export function lookupName(value: unknown, what: string, maxLength: number): string {
  if (typeof value !== 'string') throw new StoreAdminError('INVALID_INPUT', `${what} must be a string`);
  const name = value.normalize('NFC');
  if (name.length === 0 || name.length > maxLength) {
    throw new StoreAdminError('INVALID_INPUT', `${what} must have 1 to ${maxLength} characters`);
  }
  return name;
}

const escapeUnits = (character: string): string =>
  Array.from({ length: character.length }, (_, i) => {
    const unit = character.charCodeAt(i).toString(16).padStart(4, '0');
    return `\\u${unit}`;
  }).join('');

/**
 * Text for a terminal: every hidden character shown as a `\uXXXX` escape, so a name stored before
 * these rules cannot pass for another one in `list` or `audit`.
 */
export function showName(text: string): string {
  return text.replace(HIDDEN_CHARACTERS, escapeUnits);
}

/**
 * JSON for a terminal: the same escapes, which inside a JSON string denote exactly the same text, so
 * a program parsing the output reads the stored name unchanged.
 */
export function toTerminalJson(value: unknown): string {
  // JSON.stringify already escapes controls inside strings, so a raw newline is layout: keep it.
  return (JSON.stringify(value, null, 2) ?? 'null').replace(HIDDEN_CHARACTERS, (character) =>
    character === '\n' ? character : escapeUnits(character),
  );
}
