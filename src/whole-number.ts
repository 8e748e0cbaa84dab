/** Reads a whole number typed by a person (a setting, a flag): digits only, nothing a lenient Number() would accept. */

/** The number, or undefined when the text is not only digits or exceeds the safe integer range. */
export function parseWholeNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : undefined;
}
