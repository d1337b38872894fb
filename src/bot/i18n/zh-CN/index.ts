// The Simplified Chinese catalogue: the same areas and keys as ../en (the compiler checks it).
import type { Catalogue } from '../en/index.js';
import type { Translation } from '../types.js';
import admin from './admin.js';
import adminOutcomes from './admin-outcomes.js';
import advice from './advice.js';
import approvalCard from './approval-card.js';
import audit from './audit.js';
import common from './common.js';
import events from './events.js';
import findings from './findings.js';
import home from './home.js';
import input from './input.js';
import listeners from './listeners.js';
import messages from './messages.js';
import modals from './modals.js';
import pool from './pool.js';
import profiles from './profiles.js';
import refusals from './refusals.js';
import serverChangeProblems from './server-change-problems.js';
import serverChange from './server-change.js';

export const zhCN: { readonly [A in keyof Catalogue]: Translation<Catalogue[A]> } = {
  admin,
  adminOutcomes,
  advice,
  approvalCard,
  audit,
  common,
  events,
  findings,
  home,
  input,
  listeners,
  messages,
  modals,
  pool,
  profiles,
  refusals,
  serverChangeProblems,
  serverChange,
};
