/**
 * dura's custom search attributes (design.md, "Contracts"). No PII: stage, domain, tiers and dates only.
 * Shared by the workflow (upserts), the client (list queries) and the servers' registration.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DuraStage = defineSearchAttributeKey('DuraStage', SearchAttributeType.KEYWORD);
export const DuraInstitution = defineSearchAttributeKey('DuraInstitution', SearchAttributeType.KEYWORD);
export const DuraTiers = defineSearchAttributeKey('DuraTiers', SearchAttributeType.KEYWORD_LIST);
export const DuraInitiationDueBy = defineSearchAttributeKey(
  'DuraInitiationDueBy',
  SearchAttributeType.DATETIME,
);
export const DuraNextReminderAt = defineSearchAttributeKey(
  'DuraNextReminderAt',
  SearchAttributeType.DATETIME,
);
export const DuraOverdue = defineSearchAttributeKey('DuraOverdue', SearchAttributeType.BOOL);
/** An executed agreement's end date (00:00 UTC of the date), on its workflow and its term's (issue 18). */
export const DuraExpiresOn = defineSearchAttributeKey('DuraExpiresOn', SearchAttributeType.DATETIME);

export const allSearchAttributes = [
  DuraStage,
  DuraInstitution,
  DuraTiers,
  DuraInitiationDueBy,
  DuraNextReminderAt,
  DuraOverdue,
  DuraExpiresOn,
];

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  const types: Record<string, string> = {
    [SearchAttributeType.KEYWORD]: 'Keyword',
    [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
    [SearchAttributeType.DATETIME]: 'Datetime',
    [SearchAttributeType.BOOL]: 'Bool',
  };
  return allSearchAttributes.flatMap((key) => ['--search-attribute', `${key.name}=${types[key.type]}`]);
}
