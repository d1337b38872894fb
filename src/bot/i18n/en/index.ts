// The English catalogue: one file per view module. A new area is added here and in ../zh-CN/index.ts.
import advice from './advice.js';
import approvalCard from './approval-card.js';
import common from './common.js';
import events from './events.js';
import home from './home.js';
import listeners from './listeners.js';
import messages from './messages.js';
import modals from './modals.js';
import profiles from './profiles.js';

export const en = {
  advice,
  approvalCard,
  common,
  events,
  home,
  listeners,
  messages,
  modals,
  profiles,
} as const;

export type Catalogue = typeof en;
