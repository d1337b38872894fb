// What the domain and the jobs need from the outside world, as small interfaces. The bot implements
// Messenger on Slack; the jobs layer implements ProvisioningQueue on BullMQ.
import type { AccessEvent, Failure } from './events.js';
import type { AccessRequest, AlertCopyRef, SlackMessageRef } from './requests.js';
import type { ProfileKey } from './server-changes.js';

/** Things the requester is told about by DM. */
export type RequesterEvent = 'approved' | 'denied' | 'failed' | 'cancelled' | 'expired' | 'revoked' | 'lapsed';

export interface Messenger {
  postApprovalCard(request: AccessRequest): Promise<SlackMessageRef>;
  /** The request's card if it was already posted (recent channel history), for a retry after a crash. */
  findApprovalCard(request: AccessRequest): Promise<SlackMessageRef | undefined>;
  updateApprovalCard(request: AccessRequest): Promise<void>;
  /** Tells whoever the event concerns (the card's thread, the admins); the bot decides where and how. */
  publish(event: AccessEvent): Promise<void>;
  notifyRequester(request: AccessRequest, event: RequesterEvent): Promise<void>;
  /**
   * Uploads the profile into the requester's DM; the content goes nowhere else. `onFileId` is called with
   * the upload's file id before the file is shared, so a crashed delivery can be checked on resume.
   */
  deliverProfile(request: AccessRequest, profile: { filename: string; content: string }, onFileId: (fileId: string) => Promise<void>): Promise<{ fileId: string }>;
  /**
   * deliverProfile in two halves, so the upload can be done ahead: stageProfile uploads the file without
   * sharing it anywhere (an upload never shared is discarded by Slack), shareProfile shares it into the
   * requester's DM. 'gone': Slack no longer has that upload (it lapsed); upload it again.
   */
  stageProfile(profile: { filename: string; content: string }): Promise<{ fileId: string }>;
  shareProfile(request: AccessRequest, fileId: string, filename: string): Promise<'shared' | 'gone'>;
  /** Whether that upload already reached the requester's DM (the share happened before a crash). */
  profileDelivered(request: AccessRequest, fileId: string): Promise<boolean>;
  /** The "expiring soon" DM, with Extend and I'm done buttons. */
  remindExpiring(request: AccessRequest): Promise<void>;
  /** Once per pending request: a reply in its card's thread mentioning who can still decide it. */
  remindApprovers(request: AccessRequest, approvers: readonly string[]): Promise<void>;
  /**
   * A break-glass use: a DM with Acknowledge / Revoke now to each admin (the card is the channel's alert).
   * `onSent` is called with each copy's ref as soon as it is posted, so the copy can be recorded and kept up to date.
   */
  alertBreakGlass(request: AccessRequest, admins: readonly string[], onSent: (copy: AlertCopyRef) => Promise<void>): Promise<void>;
  /** Brings the alert's DM copies in line with the request (as updateApprovalCard does the card); a copy Slack no longer has is skipped. */
  updateAlertCopies(request: AccessRequest): Promise<void>;
  /** A break-glass use still unacknowledged: one reminder to the admins in the card's thread. */
  remindBreakGlassReview(request: AccessRequest, admins: readonly string[]): Promise<void>;
  /** Warm-pool events (src/bot/views/pool.ts words them). */
  poolNotice(event: PoolEvent): Promise<void>;
}

/** Follow-ups run later as durable delayed jobs (once per request and kind), surviving restarts. */
export type FollowUpKind = 'pending-ttl' | 'approver-reminder' | 'breakglass-alert' | 'breakglass-review' | 'breakglass-revoke';

export interface FollowUps {
  schedule(kind: FollowUpKind, requestId: string, at: number): Promise<void>;
}

export type PoolEvent =
  /** A ready pooled certificate was assigned to the request (its thread is told). */
  | { kind: 'assigned'; request: AccessRequest; certId: string }
  /** The account's certificate quota is full: refilling paused, admins told once per episode. */
  | { kind: 'quota-full'; gateway: string; ready: number; target: number }
  /** An unassigned pool certificate could not be deleted: it is a valid credential nobody holds. */
  | { kind: 'delete-failed'; gateway: string; certId: string; failure: Failure };

export interface ProvisioningQueue {
  /** Enqueues provisioning for an approved request; idempotent per request. Returns its position on the gateway's lane (1 = next). */
  enqueueProvision(request: AccessRequest): Promise<{ position: number }>;
  /** Removes an active grant's certificate at once (a security revocation); idempotent per request. */
  enqueueRevoke(request: AccessRequest, actor: string): Promise<void>;
  /** Moves the grant's scheduled removal to its new expiry; false when the removal is already running. */
  rescheduleExpiry(request: AccessRequest): Promise<boolean>;
}

export interface Notifications {
  /** Posts the approval card, or updates it when it exists; retried until Slack takes it. */
  syncCard(request: AccessRequest): Promise<void>;
  tellRequester(request: AccessRequest, event: RequesterEvent): Promise<void>;
  /** Schedules the "expiring soon" DM for the grant's current expiry (idempotent per expiry). */
  scheduleReminder(request: AccessRequest): Promise<void>;
  /**
   * Queues the "your profile no longer connects" DM for each holder of a profile a server change made stale:
   * one job per change and grant, so a retried change enqueues nothing twice.
   */
  tellProfileOutdated(proposalId: string, holders: readonly AccessRequest[], changed: readonly ProfileKey[], changedAt: number): Promise<void>;
}

/** How busy each gateway's lane is. */
export interface LaneStats {
  /** queued: running or waiting to run now; scheduled: delayed jobs (routine expiries, retries). */
  depth(gateway: string): Promise<{ queued: number; scheduled: number }>;
}

/** Who a Slack user is, for matching their private-CA certificates (`users.info`). */
export interface PeopleDirectory {
  /** The user's handle and, when Slack shares it, their email. Throws when the lookup fails. */
  profile(userId: string): Promise<{ handle?: string; email?: string }>;
}

/** Uploads a file into a user's DM (admin exports). The content goes nowhere else. */
export interface FileDelivery {
  sendFile(userId: string, filename: string, content: string, comment: string): Promise<{ fileId: string }>;
}

/** What an audit export holds, for the message that goes with the file (the bot words it). */
export interface AuditExportAbout {
  /** Only this user's entries, when set. */
  userId?: string;
  /** The `since` as the admin typed it (e.g. "7d"). */
  sinceLabel: string;
  entries: number;
}

/** Uploads an audit export (CSV) into an admin's DM. The content goes nowhere else. */
export interface AuditExportDelivery {
  sendAuditExport(adminId: string, file: { filename: string; content: string }, about: AuditExportAbout): Promise<{ fileId: string }>;
}
