// The English catalogue: one file per view module. A new area is added here and in ../zh-CN/index.ts.
import common from './common.js';
import modals from './modals.js';

export const en = {
  common,
  modals,
} as const;

export type Catalogue = typeof en;
