/** An enum object whose values are their own names, from a const list: what registerEnumType takes. */
export function stringEnum<T extends string>(values: readonly T[]): { readonly [K in T]: K } {
  return Object.fromEntries(values.map((value) => [value, value])) as { readonly [K in T]: K };
}
