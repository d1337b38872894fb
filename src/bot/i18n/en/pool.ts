// src/bot/views/pool.ts: the warm pool's notices and its `/vpn admin status` fragment.
export default {
  assigned: ':zap: A ready certificate from the warm pool (`{certId}`) is assigned; delivering the profile now, without waiting for the gateway.',
  quotaFull: ':warning: The warm pool on *{gateway}* cannot be refilled ({ready} of {target} ready): the account\'s SSL-VPN client certificate quota is full (`Resource.QuotaFull`). Approvals take the ordinary path meanwhile. Remove unused certificates or raise the quota in Alibaba Cloud Quota Center; refilling retries within the hour. You are told once until a refill succeeds.',
  deleteFailed: ':rotating_light: Could not delete unassigned pool certificate `{certId}` on *{gateway}*: {reason}. It is a valid credential nobody holds: delete it in the Alibaba Cloud console.',
  status: ' · pool {ready}/{target} ready{filling}{paused}',
  filling: ', {filling} filling',
  paused: ' (:warning: paused: quota full)',
} as const;
