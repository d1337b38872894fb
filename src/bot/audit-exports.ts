// The AuditExportDelivery port on Slack: the CSV goes into the admin's DM with a note worded by the views.
import type { AuditExportDelivery, FileDelivery } from '../core/ports.js';
import { auditExportComment } from './views/admin-outcomes.js';

export function slackAuditExports(files: FileDelivery): AuditExportDelivery {
  return { sendAuditExport: (adminId, file, about) => files.sendFile(adminId, file.filename, file.content, auditExportComment(about)) };
}
