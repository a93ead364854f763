/**
 * The mailer's own settings: the links in the registration instructions. Read here rather than in
 * common/config.ts because only the mailer needs them; validated the same way (one line per bad value).
 */
import { z } from 'zod';
import { readSettings } from '../../common/config';

export interface MailLinks {
  /** Researcher Workbench: account creation and sign-in. */
  workbench: string;
  /** Identity verification (Login.gov). */
  identity: string;
  /** The Data User Code of Conduct. */
  codeOfConduct: string;
  /** Responsible Conduct of Research training. */
  rcrTraining: string;
  /** The agreement and its documentation, for the signing official. */
  agreement: string;
}

export interface MailSettings {
  links: MailLinks;
}

const link = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

const schema = z.object({
  DURA_LINK_WORKBENCH: link.default('https://workbench.researchallofus.org/'),
  DURA_LINK_IDENTITY: link.default('https://login.gov/'),
  DURA_LINK_CODE_OF_CONDUCT: link.default('https://www.researchallofus.org/data-tools/data-access/'),
  DURA_LINK_RCR_TRAINING: link.default('https://www.researchallofus.org/register/'),
  DURA_LINK_AGREEMENT: link.default('https://www.researchallofus.org/register/'),
});

/** Parses the mail settings; throws ConfigError with one line per bad variable. */
export function mailSettings(env: NodeJS.ProcessEnv = process.env): MailSettings {
  const v = readSettings(schema, env);
  return {
    links: {
      workbench: v.DURA_LINK_WORKBENCH,
      identity: v.DURA_LINK_IDENTITY,
      codeOfConduct: v.DURA_LINK_CODE_OF_CONDUCT,
      rcrTraining: v.DURA_LINK_RCR_TRAINING,
      agreement: v.DURA_LINK_AGREEMENT,
    },
  };
}
