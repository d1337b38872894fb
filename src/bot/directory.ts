// Slack directory lookups with a short cache: user-group members (for roles given as S… ids) and user
// handles (for readable certificate names). Eligibility is still checked at click time; the cache only
// spares Slack's rate limits during bursts.
import type { WebClient } from '@slack/web-api';
import type { PeopleDirectory } from '../core/ports.js';

interface Cached<T> { value: T; until: number }

export class SlackDirectory implements PeopleDirectory {
  private readonly groups = new Map<string, Cached<readonly string[]>>();
  private readonly handles = new Map<string, Cached<string>>();

  constructor(private readonly client: WebClient, private readonly ttlMs = 60_000) {}

  groupMembers = async (groupId: string): Promise<readonly string[]> => {
    const hit = this.groups.get(groupId);
    if (hit && hit.until > Date.now()) return hit.value;
    const result = await this.client.usergroups.users.list({ usergroup: groupId });
    const users = result.users ?? [];
    this.groups.set(groupId, { value: users, until: Date.now() + this.ttlMs });
    return users;
  };

  /** Handle and email, read fresh (offboarding matches certificates against them). */
  async profile(userId: string): Promise<{ handle?: string; email?: string }> {
    const user = (await this.client.users.info({ user: userId })).user;
    return {
      ...(user?.name ? { handle: user.name } : {}),
      ...(user?.profile?.email ? { email: user.profile.email } : {}),
    };
  }

  /** Whether Slack reports the account deactivated (users.info `deleted`); read fresh. */
  async isDeactivated(userId: string): Promise<boolean> {
    return (await this.client.users.info({ user: userId })).user?.deleted === true;
  }

  userHandle = async (userId: string): Promise<string> => {
    const hit = this.handles.get(userId);
    if (hit && hit.until > Date.now()) return hit.value;
    let handle = userId.toLowerCase();
    try {
      const result = await this.client.users.info({ user: userId });
      handle = result.user?.name || handle;
    } catch {
      // A name is a nicety; the user id is always valid.
    }
    this.handles.set(userId, { value: handle, until: Date.now() + 10 * this.ttlMs });
    return handle;
  };
}
