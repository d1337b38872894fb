// The Simplified Chinese catalogue: the same areas and keys as ../en (the compiler checks it).
import type { Catalogue } from '../en/index.js';
import type { Translation } from '../types.js';
import common from './common.js';
import modals from './modals.js';

export const zhCN: { readonly [A in keyof Catalogue]: Translation<Catalogue[A]> } = {
  common,
  modals,
};
