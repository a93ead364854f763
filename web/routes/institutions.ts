/**
 * The home page, the Registered Institutions page (`/institutions?q=`) and the same list as JSON for the
 * program's own site (`/api/institutions?q=`), both from activities/records/public-list.ts, which reads
 * no addresses and no officials.
 */
import type { FastifyInstance } from 'fastify';
import { publicInstitutions, type PublicInstitution } from '../../activities/records/public-list';
import type { Tier } from '../../common/agreement';
import { dateInWords } from '../../common/when';
import { sendPage, textValue, type WebContext } from '../page';

const TIER_WORDS: Record<Tier, string> = { registered: 'Registered', controlled: 'Controlled' };

/**
 * A tier's cell: `Registered`/`Controlled` (any address at its domains), `Individual`, or not listed;
 * a lapsed tier (issue 18) says so: "Registered — lapsed on Friday, March 12, 2027".
 */
function tierCell(institution: PublicInstitution, tier: Tier): { text: string; listed: boolean } {
  const listed = institution.tiers.find((t) => t.tier === tier);
  if (!listed) return { text: '', listed: false };
  const text = listed.access === 'individual' ? 'Individual' : TIER_WORDS[tier];
  const lapsed = listed.lapsedOn ? ` — lapsed on ${dateInWords(listed.lapsedOn)}` : '';
  return { text: `${text}${lapsed}`, listed: true };
}

function queryText(query: unknown): string {
  return textValue((query as Record<string, unknown> | undefined)?.q, 200).trim();
}

export function registerInstitutionRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get('/', (_req, reply) => sendPage(reply, ctx, 'home', { title: 'All of Us data access' }));

  app.get('/institutions', async (req, reply) => {
    const q = queryText(req.query);
    const institutions = await publicInstitutions(ctx.store.db, q);
    const rows = institutions.map((i) => ({
      id: i.id,
      name: i.name,
      domains: i.domains,
      registered: tierCell(i, 'registered'),
      controlled: tierCell(i, 'controlled'),
    }));
    const count = `${rows.length} ${rows.length === 1 ? 'institution' : 'institutions'}`;
    return sendPage(reply, ctx, 'institutions', {
      title: q ? `Registered Institutions matching “${q}”` : 'Registered Institutions',
      section: 'institutions',
      q,
      rows,
      count,
      noMatch: q !== '' && rows.length === 0,
    });
  });

  app.get('/api/institutions', async (req, reply) => {
    const institutions = await publicInstitutions(ctx.store.db, queryText(req.query));
    return (
      reply
        .header('access-control-allow-origin', '*')
        // Another site's pages may read it (helmet's default is same-origin).
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('cache-control', 'public, max-age=60')
        .send({ institutions })
    );
  });
}
