// The shape of the message catalogue, checked by the compiler: each area (one file per view module) maps
// keys to a template with `{name}` placeholders, or to plural forms chosen by Intl.PluralRules. The
// placeholders of a template become the typed parameters of its lookup, and a translation must have
// every key of the English area, each containing every placeholder of the English text.

/** Plural forms, chosen by the `count` parameter (zh-CN has only `other`). */
export interface Plural { readonly one?: string; readonly other: string }
export type Entry = string | Plural;
export type Area = Readonly<Record<string, Entry>>;

/** The placeholder names in a template: 'a {x} b {y}' → 'x' | 'y'. */
export type Holes<S extends string> = S extends `${string}{${infer P}}${infer R}` ? P | Holes<R> : never;

export type HolesOf<E> = E extends string ? Holes<E>
  : E extends Plural ? Holes<E['other']> | (E extends { one: infer O extends string } ? Holes<O> : never) | 'count'
    : never;

/** Values for an entry's placeholders: text or numbers; the `count` of plural forms is a number. */
export type Params<E> = E extends Plural ? { readonly [K in HolesOf<E>]: K extends 'count' ? number : string | number } : { readonly [K in HolesOf<E>]: string | number };
export type ParamArgs<E> = [HolesOf<E>] extends [never] ? [] : [params: Params<E>];

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** A string that contains `{h}` for every placeholder h (an intersection of template literal types). */
type Containing<H extends string> = [H] extends [never] ? string : UnionToIntersection<H extends string ? `${string}{${H}}${string}` : never>;

/** Another language's version of an area: every key (a missing one is a type error), every placeholder kept. */
export type Translation<A extends Area> = {
  readonly [K in keyof A]: A[K] extends string ? Containing<Holes<A[K]>> : string | Plural;
};
