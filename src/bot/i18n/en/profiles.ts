// src/bot/views/profiles.ts: `/vpn resend` and the App Home's resend button.
export default {
  working: ':hourglass_flowing_sand: Fetching a fresh copy of your profile from the gateway…',
  resent: ':key: A fresh copy of your profile for *{gateway}* is in your DM with me. It will be removed from Slack {removeAt}.',
  resendButton: 'Send my profile again',
} as const;
