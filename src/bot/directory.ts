// Slack directory lookups with a short cache: user-group members (for roles given as S… ids), and each
// person's handle (for readable certificate names), language and time zone (for the messages they read).
// Eligibility is still checked at click time; the cache only spares Slack's rate limits during bursts.
import type { WebClient } from '@slack/web-api';
import type { PeopleDirectory } from '../core/ports.js';
import { toLocale, type Lang, type Locale } from './i18n/index.js';

interface Cached<T> { value: T; until: number }
interface Person { handle?: string | undefined; locale?: string | undefined; timeZone?: string | undefined }

export class SlackDirectory implements PeopleDirectory {
  private readonly groups = new Map<string, Cached<readonly string[]>>();
  private readonly people = new Map<string, Cached<Person>>();

  /** `fallback` (slack.locale) is the language of people whose Slack locale has no catalogue, or cannot be read. */
  constructor(private readonly client: WebClient, private readonly ttlMs = 60_000, private readonly fallback: Locale = 'en', private readonly patienceMs = 1000) {}

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

  /** Handle, locale and time zone from one users.info, cached; an empty record when Slack cannot say. */
  private async person(userId: string): Promise<Person> {
    const hit = this.people.get(userId);
    if (hit && hit.until > Date.now()) return hit.value;
    let person: Person = {};
    try {
      const user = (await this.client.users.info({ user: userId, include_locale: true })).user;
      person = { handle: user?.name || undefined, locale: user?.locale, timeZone: user?.tz };
    } catch {
      // A name or a language is a nicety; the user id and the default language always work.
    }
    this.people.set(userId, { value: person, until: Date.now() + 10 * this.ttlMs });
    return person;
  }

  userHandle = async (userId: string): Promise<string> => (await this.person(userId)).handle ?? userId.toLowerCase();

  /**
   * The language (and time zone) of the messages `userId` reads: their Slack locale, else slack.locale.
   * Listeners must answer within Slack's 3 s, so a lookup slower than `patienceMs` answers in slack.locale
   * (and still fills the cache for the next message).
   */
  langOf = async (userId: string): Promise<Lang> => {
    const fallback: Person = {};
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Person>((resolve) => { timer = setTimeout(() => resolve(fallback), this.patienceMs).unref(); });
    const person = await Promise.race([this.person(userId), late]).finally(() => clearTimeout(timer));
    return { locale: toLocale(person.locale) ?? this.fallback, ...(person.timeZone ? { timeZone: person.timeZone } : {}) };
  };
}
