// The AuditExportDelivery port on Slack: the CSV goes into the admin's DM with a note worded by the views,
// in the admin's language.
import type { AuditExportDelivery, FileDelivery } from '../core/ports.js';
import { EN, type LangOf } from './i18n/index.js';
import { auditExportComment } from './views/admin-outcomes.js';

export function slackAuditExports(files: FileDelivery, langOf?: LangOf): AuditExportDelivery {
  return {
    sendAuditExport: async (adminId, file, about) => {
      const lang = langOf ? await langOf(adminId).catch(() => EN) : EN;
      return files.sendFile(adminId, file.filename, file.content, auditExportComment(about, lang));
    },
  };
}
