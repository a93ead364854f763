/**
 * `dura links revoke` and `dura links new`: a requester's personal status links (common/status-link.ts).
 * Revoking withdraws every link of that requester for that agreement sent so far (a forwarded e-mail, a
 * lost laptop); the links in mail sent afterwards work. `new` prints a fresh link to send by hand, for a
 * requester whose link expired or was withdrawn. Both read the agreement from the records.
 */
import type { Command } from 'commander';
import type { RecordsStore } from '../../activities/records/store';
import type { AgreementStatus } from '../../common/agreement';
import { emit, UnreachableError, UserError, type OutputOptions } from '../output';
import { withStore } from '../records';

export function registerLinkCommands(program: Command): void {
  const links = program.command('links').description("requesters' personal links to their status page");
  links
    .command('revoke <agreement> <email>')
    .description('withdraw every status link of this requester for this agreement sent so far')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      [
        '',
        '<agreement> is an agreement id (uw.edu-2) or a domain (its agreement in process, else its latest).',
        'Links in e-mails sent afterwards work; `dura links new` makes one to send by hand.',
        '',
        'Example:',
        '  dura links revoke uw.edu-1 ada@uw.edu',
      ].join('\n'),
    )
    .action(async (agreement: string, email: string, options: OutputOptions) => {
      const address = await requesterAddress(email);
      const { revokeStatusLinks } = await import('../../activities/records/status-links');
      const { inWords } = await import('../../common/when');
      const result = await withStore(async (store) => {
        const found = await requesterAgreement(
          await store.agreementStatus(agreement),
          agreement,
          address,
          store,
        );
        const { agreementId } = found.status;
        const revokedAt = await revokeStatusLinks(store.db, agreementId, found.email, new Date());
        // A link names one agreement: the requester's links to her others still work (a forwarded
        // e-mail of another agreement, a lost laptop holding all of them), so they are named.
        const others = (await store.agreementsOfRequester(found.email)).filter((id) => id !== agreementId);
        return {
          agreementId,
          email: found.email,
          revokedAt: revokedAt.toISOString(),
          otherAgreements: others,
        };
      });
      emit(options, result, () =>
        [
          `withdrew the status links of ${result.email} for ${result.agreementId} sent up to ` +
            `${inWords(result.revokedAt)}; links in later e-mails work`,
          ...result.otherAgreements.map(
            (id) =>
              `links to ${id} (another agreement of this address) still work: \`dura links revoke ${id} ${result.email}\` withdraws them`,
          ),
        ].join('\n'),
      );
    });

  links
    .command('new <agreement> <email>')
    .description("print a fresh status link for one of the agreement's requesters, to send by hand")
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      [
        '',
        'The link is signed with DURA_LINK_KEY (else DURA_DATA_DIR/status-link.key, as the worker) and works',
        'for DURA_LINK_DAYS days, at DURA_WEB_URL.',
        '',
        'Example:',
        '  dura links new uw.edu-1 ada@uw.edu',
      ].join('\n'),
    )
    .action(async (agreement: string, email: string, options: OutputOptions) => {
      const address = await requesterAddress(email);
      const { loadConfig } = await import('../../common/config');
      const { NoLinkKey, signStatusLink, statusLinkExpiresAt, statusLinkKey, statusLinkUrl } =
        await import('../../common/status-link');
      const { dateInWords } = await import('../../common/when');
      const config = loadConfig();
      // Before anything is read: the engine's key, never a new one (whose links would not work).
      let key: Uint8Array;
      try {
        key = statusLinkKey(config, { create: false });
      } catch (err) {
        if (!(err instanceof NoLinkKey)) throw err;
        throw new UnreachableError(
          `the status-link key ${err.file}: no such file: set DURA_DATA_DIR (or DURA_LINK_KEY) as the engine has it`,
        );
      }
      const {
        agreementId,
        email: requester,
        now,
      } = await withStore(async (store) => {
        const found = await requesterAgreement(
          await store.agreementStatus(agreement),
          agreement,
          address,
          store,
        );
        const { agreementId } = found.status;
        return {
          agreementId,
          email: found.email,
          now: await afterRevocation(store, agreementId, found.email),
        };
      });
      const claim = { agreementId, email: requester };
      const token = await signStatusLink(claim, key, { days: config.DURA_LINK_DAYS, now });
      const expiresAt = statusLinkExpiresAt({ days: config.DURA_LINK_DAYS, now });
      const result = {
        ...claim,
        url: statusLinkUrl(config.DURA_WEB_URL, token),
        expiresAt: expiresAt.toISOString(),
      };
      // The link alone on stdout (`L=$(dura links new …)`); whom it is for and until when, on stderr.
      if (!options.json)
        process.stderr.write(`dura: for ${requester}; works until ${dateInWords(expiresAt)}\n`);
      emit(options, result, () => result.url);
    });
}

/**
 * Now, or the start of the next second when a revocation was recorded in this one: a link's `iat` is in
 * whole seconds, and one at or before the revocation is withdrawn with it (revoke, then new at once).
 */
async function afterRevocation(store: RecordsStore, agreementId: string, email: string): Promise<Date> {
  const { statusLinksRevokedAt } = await import('../../activities/records/status-links');
  const revokedAt = await statusLinksRevokedAt(store.db, agreementId, email);
  const now = new Date();
  if (!revokedAt || Math.floor(now.getTime() / 1000) * 1000 > revokedAt.getTime()) return now;
  const next = (Math.floor(revokedAt.getTime() / 1000) + 1) * 1000;
  // A revocation further ahead is another clock's: waiting for it would not help.
  if (next - now.getTime() > 1000) return now;
  await new Promise((resolve) => setTimeout(resolve, next - now.getTime()));
  return new Date(Math.max(next, Date.now()));
}

/** The address as typed, trimmed and lower-cased, or a user error naming it. */
async function requesterAddress(email: string): Promise<string> {
  const { parseEmail } = await import('../../common/coverage');
  const parsed = parseEmail(email);
  if (!parsed) throw new UserError(`${JSON.stringify(email.trim())}: not an e-mail address`);
  return parsed.email;
}

/**
 * The agreement found and the requester's address as it holds it (lower case: what their links carry,
 * so that a revocation matches them), or a user error: none found, or not one of its requesters.
 */
async function requesterAgreement(
  status: AgreementStatus | null,
  typed: string,
  address: string,
  store: Pick<RecordsStore, 'db'>,
): Promise<{ status: AgreementStatus; email: string }> {
  const { agreementTarget, noAgreement } = await import('../../common/agreement-target');
  const { parseEmail } = await import('../../common/coverage');
  if (!status) throw new UserError(noAgreement(agreementTarget(typed)));
  // Compared as parseEmail reads both: an internationalized address matches its ASCII form.
  const requester = status.requesters.find((r) => (parseEmail(r.email)?.email ?? r.email) === address);
  if (requester) return { status, email: requester.email.trim().toLowerCase() };
  // An address the instructions were resent to (`dura registration resend --to`) holds links too.
  const { registrationsFor } = await import('../../activities/records/registrations');
  const resent = (await registrationsFor(store.db, address)).some(
    (r) => r.agreementId === status.agreementId,
  );
  if (!resent) throw new UserError(`${address}: not a requester of ${status.agreementId}`);
  return { status, email: address };
}
